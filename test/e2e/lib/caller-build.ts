// Bundle the test caller page and the agent-side probe with Vite at test time (nothing built is committed).
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const CALLER_SRC = fileURLToPath(new URL('../caller/', import.meta.url));

export interface CallerBundle {
  /** Folder with index.html and its assets. */
  pageDir: string;
  /** The probe as one classic script, for Playwright's addInitScript. */
  probeScript: string;
}

export async function buildCaller(outDir: string): Promise<CallerBundle> {
  const pageDir = join(outDir, 'page');
  const probeDir = join(outDir, 'probe');
  const common = { configFile: false as const, logLevel: 'warn' as const, root: CALLER_SRC, publicDir: false as const };
  await build({
    ...common,
    base: './',
    build: { outDir: pageDir, emptyOutDir: true, target: 'chrome120', minify: false, reportCompressedSize: false },
  });
  await build({
    ...common,
    build: {
      outDir: probeDir,
      emptyOutDir: true,
      target: 'chrome120',
      minify: false,
      reportCompressedSize: false,
      lib: { entry: join(CALLER_SRC, 'probe.ts'), formats: ['iife'], name: 'lianluoProbeBundle', fileName: () => 'probe.js' },
    },
  });
  return { pageDir, probeScript: readFileSync(join(probeDir, 'probe.js'), 'utf8') };
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };

/** Serve a folder on 127.0.0.1 (a secure context, so the page gets navigator.mediaDevices). */
export async function serveFolder(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const root = resolve(dir);
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    const file = resolve(root, `.${path === '/' ? '/index.html' : path}`);
    if (!file.startsWith(root + sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = readFileSync(file);
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
