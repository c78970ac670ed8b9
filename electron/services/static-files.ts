// Serving the built renderer from disk, shared by Electron's app:// handler and the web host.
import { statSync } from 'node:fs';
import { extname, resolve, sep } from 'node:path';

export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wav': 'audio/wav',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

export const contentType = (file: string) => CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';

/** Resolve a URL path inside root, or undefined for anything that escapes root or is not a regular file. */
export function staticPath(root: string, urlPath: string): string | undefined {
  const base = resolve(root);
  let p: string;
  try {
    p = decodeURIComponent(urlPath.split(/[?#]/)[0] ?? '/');
  } catch {
    return undefined;
  }
  if (p.includes('\0') || p.includes('\\')) return undefined;
  if (p === '/' || p === '') p = '/index.html';
  const full = resolve(base, `.${p.startsWith('/') ? p : `/${p}`}`);
  if (!full.startsWith(base + sep)) return undefined;
  try {
    return statSync(full).isFile() ? full : undefined;
  } catch {
    return undefined;
  }
}
