// The renderer's Content-Security-Policy, built in one place so Electron's app:// handler, the web host
// and the tests agree. SIP servers are configured at run time, so WebSocket connections may go to any
// ws:/wss: host; nothing else may be fetched from outside the app's own origin.
export function buildCsp(extraConnect: readonly string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "media-src 'self' blob: mediastream:",
    `connect-src ${["'self'", 'ws:', 'wss:', ...extraConnect].join(' ')}`,
    "font-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}
