// The processes of the end-to-end rig: the project's Kamailio (test/rig/*.sh), the app's build and its
// real web host (out/main/webhost.js), each started by path and stopped by its own pid.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const RIG = join(REPO, 'test/rig');

/** Run a rig script; returns its output, throws with the output when it fails. */
export function rigScript(script: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync('bash', [join(RIG, script), ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  if (r.status !== 0) throw new Error(`${script} ${args.join(' ')} failed (exit ${r.status ?? r.signal}):\n${out}`);
  return out;
}

export function startKamailio(runDir: string, usersFile: string, args: string[] = []): string {
  return rigScript('start-kamailio.sh', ['--users', usersFile, ...args], { LIANLUO_RIG_RUN: runDir });
}

/** Kill Kamailio as a crash would (SIGKILL to its whole process group: the main process and its children). */
export function killKamailio(runDir: string): void {
  const pid = Number(readFileSync(join(runDir, 'kamailio.pid'), 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 1) throw new Error(`no Kamailio pid in ${runDir}`);
  process.kill(-pid, 'SIGKILL'); // start-kamailio.sh runs it under setsid: its pid is the group id
  rmSync(join(runDir, 'kamailio.pid'), { force: true });
}

export function startRtpengine(runDir: string): string {
  return rigScript('start-rtpengine.sh', [], { LIANLUO_RIG_RUN: runDir });
}

export function stopRtpengine(runDir: string): string {
  return rigScript('stop-rtpengine.sh', [], { LIANLUO_RIG_RUN: runDir });
}

export function stopKamailio(runDir: string): string {
  return rigScript('stop-kamailio.sh', [], { LIANLUO_RIG_RUN: runDir });
}

/** Writes tone440.wav, tone660.wav, tone1000.wav and tone800.ulaw into dir. */
export function makeTones(dir: string): { caller: string; agent: string; agent2: string; pstn: string } {
  rigScript('make-tones.sh', [dir]);
  return { caller: join(dir, 'tone440.wav'), agent: join(dir, 'tone1000.wav'), agent2: join(dir, 'tone660.wav'), pstn: join(dir, 'tone800.ulaw') };
}

const BUILD_INPUTS = ['renderer', 'electron', 'shared', 'electron.vite.config.ts', 'package.json'];
const BUILD_OUTPUTS = ['out/main/webhost.js', 'out/main/db-writer.js', 'out/renderer/index.html'];

function newest(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let m = st.mtimeMs;
  for (const e of readdirSync(path)) if (e !== 'node_modules') m = Math.max(m, newest(join(path, e)));
  return m;
}

/** Is out/ missing, or older than any source it is built from? */
export function buildIsStale(): string | undefined {
  const missing = BUILD_OUTPUTS.find((f) => !existsSync(join(REPO, f)));
  if (missing) return `${missing} is missing`;
  const built = Math.min(...BUILD_OUTPUTS.map((f) => statSync(join(REPO, f)).mtimeMs));
  const changed = BUILD_INPUTS.find((p) => existsSync(join(REPO, p)) && newest(join(REPO, p)) > built);
  return changed ? `${changed} changed since the last build` : undefined;
}

export function buildApp(): void {
  const r = spawnSync(join(REPO, 'node_modules/.bin/electron-vite'), ['build'], { cwd: REPO, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`electron-vite build failed:\n${r.stdout}${r.stderr}`);
}

/** Copy the build, so a rebuild running elsewhere in this checkout cannot change it under the test. */
export function snapshotBuild(dest: string): string {
  cpSync(join(REPO, 'out'), join(dest, 'out'), { recursive: true });
  return join(dest, 'out');
}

export interface WebHostProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Start the real web host (`node out/main/webhost.js`) and wait for "Lianluo web: <url>". */
export function startWebHost(o: { outDir: string; dataDir: string; demoCustomers: number; logFile: string; backend?: string }): Promise<WebHostProcess> {
  const child = spawn(process.execPath, [join(o.outDir, 'main/webhost.js')], {
    cwd: REPO,
    // No backend (LIANLUO_BACKEND=off) unless one is given: most tests are about the phone, with the demo set in the cache.
    env: { ...process.env, LIANLUO_DATA_DIR: o.dataDir, LIANLUO_WEB_PORT: '0', LIANLUO_DEMO_CUSTOMERS: String(o.demoCustomers), LIANLUO_BACKEND: o.backend ?? 'off' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(o.logFile);
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  };
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`the web host did not print its URL within 30 s:\n${seen}`));
    }, 30_000);
    child.stdout?.on('data', (d: Buffer) => {
      seen += d.toString();
      const m = /Lianluo web: (\S+)/.exec(seen);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve({ url: m[1], child, stop });
      }
    });
    child.stderr?.on('data', (d: Buffer) => (seen += d.toString()));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the web host exited (${code ?? signal}) before printing its URL:\n${seen}`));
    });
  });
}
