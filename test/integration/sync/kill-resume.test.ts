// kill -9 during sync: a child process runs the desktop's sync (support/sync-child.ts) against a real
// backend process and is SIGKILLed at random moments — while the new cache file is bulk-loaded, while
// it is finished and swapped in, while incremental pages are written — at least 20 times, restarted on
// the same data folder each time. In the end the cache equals the server's state row for row: nothing
// missing, nothing twice, nothing half-written, and no leftover file.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerResponse } from '../../../shared/sync/api';
import { prng } from '../../../shared/demo/demo-customers';
import { cacheFile } from '../../../electron/services/paths';
import { nextCacheFile } from '../../../electron/services/sync/worker-sync';
import { tempDir } from '../support/temp-dir';
import { REPO, startBackendProcess, type BackendProcess } from './support/backend-process';
import { expectCacheEqualsServer, readCache } from './support/desktop';

const MIN_KILLS = 20;
const root = tempDir('lianluo-kill-');

describe('kill -9 during sync', () => {
  let backend: BackendProcess;
  let admin: string;
  beforeAll(async () => {
    backend = await startBackendProcess({ kind: 'pglite', customers: 12_000 });
    admin = await backend.login('admin');
  }, 180_000);
  afterAll(async () => {
    await backend?.drop();
  });

  const dataDir = join(root, 'desktop');
  const random = prng(20261125);

  /** Run the child; kill it with SIGKILL after `killAfter` (ms after its first sync status), or let it finish. */
  function runChild(killAfter: number | null, killAtStart: number | null): Promise<{ killed: boolean; midSync: boolean; lines: string[] }> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/integration/sync/support/sync-child.ts'], {
      cwd: REPO,
      env: {
        ...process.env,
        LIANLUO_DATA_DIR: dataDir,
        BACKEND_URL: backend.url,
        SYNC_USER: 'agent1001',
        SYNC_PASSWORD: backend.passwords.agent1001,
        BULK_PAGE: '200',
        INCREMENTAL_PAGE: '50',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let syncing = false;
    let idle = false;
    let killed = false;
    let midSync = false;
    const kill = () => {
      if (child.exitCode !== null || killed) return;
      killed = true;
      midSync = syncing && !idle;
      child.kill('SIGKILL');
    };
    if (killAtStart !== null) setTimeout(kill, killAtStart);
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      const parts = out.split('\n');
      out = parts.pop() ?? '';
      for (const l of parts) {
        lines.push(l);
        const s = JSON.parse(l) as { state: string };
        if (s.state === 'syncing' && !syncing) {
          syncing = true;
          if (killAfter !== null) setTimeout(kill, killAfter);
        }
        if (s.state === 'idle') idle = true;
      }
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d));
    return new Promise((resolve, reject) => {
      child.once('exit', (code, signal) => {
        if (signal === 'SIGKILL' && killed) resolve({ killed: true, midSync, lines });
        else if (code === 0) resolve({ killed: false, midSync: false, lines });
        else reject(new Error(`sync child exited with ${code ?? signal}:\n${err}\n${lines.join('\n')}`));
      });
    });
  }

  /** Changes on the server so that incremental pages have something to write: an import of new customers, some edits and deletes. */
  async function changeSome(round: number): Promise<void> {
    const rows = ['id,name,company,tier,tags,notes,phones'];
    for (let i = 0; i < 1500; i++) rows.push(`K${round}-${i},客户 ${round}-${i},,standard,,round ${round},mobile:139${String(round * 10_000 + i).padStart(8, '0')}`);
    const res = await fetch(`${backend.url}/v1/customers/import`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'text/csv' }, body: rows.join('\n') });
    if (res.status !== 200) throw new Error(`import: ${res.status} ${await res.text()}`);
    for (let i = 0; i < 20; i++) {
      const id = `C${String(4 + Math.floor(random() * 11_990)).padStart(7, '0')}`;
      const got = await backend.api<CustomerResponse>(admin, 'GET', `/v1/customers/${id}`);
      if (got.status !== 200) continue;
      const c = got.json.customer;
      if (i % 7 === 0) await backend.api(admin, 'DELETE', `/v1/customers/${id}`);
      else await backend.api(admin, 'PUT', `/v1/customers/${id}`, { ...c, notes: `round ${round} change ${i}`, phones: c.phones.map((p) => ({ label: p.label, number: p.e164 })) });
    }
  }

  it(`resumes with no gap and no duplicate after at least ${MIN_KILLS} kills at random points`, async () => {
    let midSyncKills = 0;
    let kills = 0;
    let finishedOnce = false;
    let phasesKilled = new Set<string>();
    for (let round = 0; midSyncKills < MIN_KILLS && round < 90; round++) {
      if (finishedOnce) await changeSome(round);
      const r = random();
      // Mostly mid-sync (after the first status); sometimes anywhere from start-up on.
      const result = r < 0.2 ? await runChild(null, Math.floor(random() * 2500)) : await runChild(Math.floor(random() * (finishedOnce ? 300 : 600)), null);
      if (result.killed) kills++;
      if (result.midSync) {
        midSyncKills++;
        const last = result.lines.at(-1);
        if (last) phasesKilled.add(String((JSON.parse(last) as { phase: string | null }).phase));
      }
      if (!result.killed) finishedOnce = true;
    }
    expect(midSyncKills).toBeGreaterThanOrEqual(MIN_KILLS);
    expect(kills).toBeGreaterThanOrEqual(MIN_KILLS);
    // Both the bulk load of the first sync and the incremental pages after it were hit.
    expect(phasesKilled.has('initial')).toBe(true);

    await changeSome(1000);
    const last = await runChild(null, null);
    expect(last.killed).toBe(false);
    const m = await backend.mirror(admin);
    expect(existsSync(nextCacheFile(cacheFile(dataDir)))).toBe(false);
    expectCacheEqualsServer(dataDir, m);
    expect(readCache(cacheFile(dataDir)).customers.length).toBe(m.customers.size);
    phasesKilled = new Set([...phasesKilled]);
    console.log(`kill -9: ${kills} kills, ${midSyncKills} during sync (phases: ${[...phasesKilled].join(', ')})`);
  }, 600_000);
});
