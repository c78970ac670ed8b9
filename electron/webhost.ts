// Transport 2: the same services and the same built renderer, for a browser on this machine.
// `npm run web` runs it (no Electron needed); the end-to-end tests drive the real UI through it.
// Binds 127.0.0.1 only. The page is public app code; the IPC WebSocket needs the random token from the
// printed URL, an Origin and a Host that are exactly this server (no other site, no DNS rebinding).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import { buildCsp } from '../shared/security/csp';
import { fail } from '../shared/result';
import { startServices, type Services } from './services/app-services';
import { defaultDataDir } from './services/paths';
import { FileSecretStore } from './services/secrets/secret-store';
import { contentType, staticPath } from './services/static-files';

export interface WebHostOptions {
  services: Services;
  rendererDir: string;
  port?: number;
  token?: string;
}

export interface WebHost {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export async function startWebHost(o: WebHostOptions): Promise<WebHost> {
  const root = resolve(o.rendererDir);
  readFileSync(join(root, 'index.html')); // fail early with a clear error if the renderer was not built
  const token = o.token ?? randomBytes(24).toString('base64url');
  const csp = buildCsp();
  let port = 0;
  const origin = () => `http://127.0.0.1:${port}`;
  const hostOk = (req: IncomingMessage) => req.headers.host === `127.0.0.1:${port}` || req.headers.host === `localhost:${port}`;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (!hostOk(req)) {
      res.writeHead(421).end('wrong host');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const file = staticPath(root, req.url ?? '/');
    if (!file) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, {
      'Content-Type': contentType(file),
      'Content-Security-Policy': csp,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cache-Control': file.endsWith('.html') ? 'no-store' : 'max-age=3600',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', origin());
    const given = url.searchParams.get('token') ?? '';
    if (url.pathname !== '/ipc' || !hostOk(req) || req.headers.origin !== origin() || !sameSecret(given, token)) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    // A protocol error (e.g. a message over maxPayload) closes that socket (1009…); unhandled, it would crash the host.
    ws.on('error', () => ws.terminate());
    ws.on('message', (data, isBinary) => {
      let msg: { id?: unknown; channel?: unknown; payload?: unknown };
      try {
        if (isBinary) throw new Error('binary');
        msg = JSON.parse(String(data)) as typeof msg;
        if (!msg || typeof msg !== 'object') throw new Error('not an object');
      } catch {
        ws.send(JSON.stringify({ id: null, result: fail('invalid_request', 'message is not a JSON object') }));
        return;
      }
      const id = typeof msg.id === 'number' ? msg.id : null;
      void o.services.router.handle(msg.channel, msg.payload, { transport: 'web' }).then((result) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id, result }));
      });
    });
  });
  const unlisten = o.services.events.listen((event, payload) => {
    const frame = JSON.stringify({ event, payload });
    for (const ws of wss.clients) if (ws.readyState === ws.OPEN) ws.send(frame);
  });

  await new Promise<void>((ok, ko) => {
    server.once('error', ko);
    server.listen(o.port ?? 0, '127.0.0.1', () => ok());
  });
  const addr = server.address();
  port = typeof addr === 'object' && addr ? addr.port : 0;

  return {
    url: `${origin()}/#token=${token}`,
    port,
    token,
    async close() {
      unlisten();
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

/** Entry point of the built web host (out/main/webhost.js; `npm run web` builds first). */
async function main() {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const dataDir = defaultDataDir();
  const services = await startServices({
    dataDir,
    transport: 'web',
    version: process.env.npm_package_version ?? '0.0.0',
    platform: process.platform,
    secrets: new FileSecretStore(join(dataDir, 'secrets.web.json')),
    writerScript: { url: new URL('./db-writer.js', import.meta.url) },
    ...(process.env.LIANLUO_DEMO_CUSTOMERS ? { demoCustomers: Number(process.env.LIANLUO_DEMO_CUSTOMERS) } : {}),
    // The built-in backend (issue 3); LIANLUO_BACKEND=off (no backend) or =<url> overrides the settings.
    backend: { embeddedScript: { url: new URL('./embedded-backend.js', import.meta.url) }, ...(process.env.LIANLUO_BACKEND ? { override: process.env.LIANLUO_BACKEND } : {}) },
  });
  const host = await startWebHost({
    services,
    rendererDir: join(here, '../renderer'),
    port: Number(process.env.LIANLUO_WEB_PORT ?? 0),
  });
  console.log(`Lianluo web: ${host.url}`);
  console.log(`  data folder: ${dataDir}`);
  console.log('  secrets: stored in a plain file in the data folder (no OS keychain outside Electron)');
  console.log('  open the address above in Chromium or Chrome on this machine; Ctrl+C stops it.');
  const stop = async () => {
    await host.close();
    await services.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(`Lianluo web host could not start: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
