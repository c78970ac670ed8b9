// A proxy in front of a real backend process that can spoil the cache-image download the way networks
// and servers do: flip a byte, cut the answer off, answer 500, go slowly, or offer another file (a
// crafted image with a manifest of its own). Everything else passes through unchanged.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ProxyMode =
  | { kind: 'pass' }
  /** Invert one byte of the image at this offset (the manifest still announces the real hash). */
  | { kind: 'flip'; at: number }
  /** Send this many bytes of the image and close the connection, `times` times; then pass. */
  | { kind: 'cut'; after: number; times: number }
  /** Cut off after this many bytes once, then answer 500 `times500` times, then pass. */
  | { kind: 'cut-then-500'; after: number; times500: number }
  /** The image at about this many bytes per second (so a test can kill the desktop mid-download). */
  | { kind: 'slow'; bytesPerSecond: number }
  /** Offer this file instead, with this manifest. */
  | { kind: 'serve'; manifest: unknown; file: Buffer };

export interface ImageProxy {
  url: string;
  mode: ProxyMode;
  /** The image requests seen: their Range header (or null) and the status answered. */
  imageRequests: { range: string | null; status: number }[];
  close(): Promise<void>;
}

export async function startImageProxy(upstream: () => string): Promise<ImageProxy> {
  const state: ImageProxy = { url: '', mode: { kind: 'pass' }, imageRequests: [], close: async () => undefined };
  // What a mode has done so far (a new mode object starts from zero).
  const done = new WeakMap<ProxyMode, { cuts: number; fives: number }>();
  const countsOf = (m: ProxyMode) => done.get(m) ?? (done.set(m, { cuts: 0, fives: 0 }), done.get(m)!);

  const forward = (req: IncomingMessage, res: ServerResponse, transform?: (up: IncomingMessage) => void) => {
    const u = new URL(upstream());
    const up = request({ host: u.hostname, port: u.port, method: req.method, path: req.url, headers: { ...req.headers, host: u.host } }, (r) => {
      if (transform) return transform(r);
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  };

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const isImage = /^\/v1\/sync\/image\/[0-9a-f]{64}$/.test(path);
    const mode = state.mode;
    const counts = countsOf(mode);
    const record = (status: number) => isImage && state.imageRequests.push({ range: (req.headers.range as string | undefined) ?? null, status });
    if (mode.kind === 'serve' && path === '/v1/sync/image') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(mode.manifest));
      return;
    }
    if (mode.kind === 'serve' && isImage) {
      const m = /^bytes=(\d+)-$/.exec((req.headers.range as string | undefined) ?? '');
      const from = m ? Number(m[1]) : 0;
      record(m ? 206 : 200);
      res.writeHead(m ? 206 : 200, {
        'content-type': 'application/vnd.sqlite3',
        'content-length': String(mode.file.length - from),
        ...(m ? { 'content-range': `bytes ${from}-${mode.file.length - 1}/${mode.file.length}` } : {}),
      });
      res.end(mode.file.subarray(from));
      return;
    }
    if (!isImage || mode.kind === 'pass' || mode.kind === 'serve') return forward(req, res);
    if (mode.kind === 'cut-then-500' && counts.cuts >= 1 && counts.fives < mode.times500) {
      counts.fives++;
      record(500);
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'internal', message: 'injected failure' } }));
      return;
    }
    forward(req, res, (up) => {
      record(up.statusCode ?? 0);
      res.writeHead(up.statusCode ?? 502, up.headers);
      const start = Number(/^bytes (\d+)-/.exec(String(up.headers['content-range'] ?? ''))?.[1] ?? 0);
      let at = start;
      const cutAfter =
        (mode.kind === 'cut' && counts.cuts < mode.times) || (mode.kind === 'cut-then-500' && counts.cuts < 1) ? start + mode.after : Number.POSITIVE_INFINITY;
      up.on('data', (chunk: Buffer) => {
        let c = chunk;
        if (mode.kind === 'flip' && mode.at >= at && mode.at < at + c.length) {
          c = Buffer.from(c);
          c[mode.at - at] = (c[mode.at - at] as number) ^ 0xff;
        }
        if (at + c.length >= cutAfter) {
          res.write(c.subarray(0, Math.max(0, cutAfter - at)));
          counts.cuts++;
          up.destroy();
          res.socket?.destroy();
          return;
        }
        at += c.length;
        // Resume once the client has taken the chunk and, when slow, its time has passed.
        const waits: Promise<unknown>[] = [];
        if (!res.write(c)) waits.push(new Promise((r) => res.once('drain', r)));
        if (mode.kind === 'slow') waits.push(new Promise((r) => setTimeout(r, Math.ceil((c.length / mode.bytesPerSecond) * 1000))));
        if (waits.length) {
          up.pause();
          void Promise.all(waits).then(() => up.resume());
        }
      });
      up.on('end', () => res.end());
      up.on('error', () => res.destroy());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return state;
}
