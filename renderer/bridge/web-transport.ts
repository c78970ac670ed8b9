// Transport 2, renderer side: when the UI runs in a browser through the web host (npm run web, the
// end-to-end tests) there is no preload, so window.lianluo is built here over a WebSocket to the host.
// The token comes from the address the host printed (#token=…) and is kept for reloads of this tab only.
import { buildBridge, type BridgeTransport } from '../../shared/ipc-bridge';
import type { LianluoBridge } from '../../shared/ipc';
import type { EventName } from '../../shared/ipc-channels';
import { fail, type WireResult } from '../../shared/result';

const TOKEN_KEY = 'lianluo.webhost.token';
const REQUEST_TIMEOUT_MS = 15_000;

function takeToken(): string {
  const m = /(?:^|[#&])token=([A-Za-z0-9_-]+)/.exec(location.hash);
  if (m?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, m[1]);
    history.replaceState(null, '', location.pathname + location.search);
    return m[1];
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

export function createWebBridge(): LianluoBridge {
  const token = takeToken();
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ipc?token=${encodeURIComponent(token)}`;
  let ws: WebSocket | undefined;
  let open: Promise<WebSocket> | undefined;
  let nextId = 1;
  let retryMs = 250;
  const pending = new Map<number, { resolve: (r: WireResult<unknown>) => void; timer: ReturnType<typeof setTimeout> }>();
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();

  const connect = (): Promise<WebSocket> => {
    if (open) return open;
    open = new Promise<WebSocket>((resolve, reject) => {
      const sock = new WebSocket(url);
      sock.onopen = () => {
        ws = sock;
        retryMs = 250;
        resolve(sock);
      };
      sock.onmessage = (ev) => {
        let msg: { id?: number | null; result?: WireResult<unknown>; event?: EventName; payload?: unknown };
        try {
          msg = JSON.parse(String(ev.data)) as typeof msg;
        } catch {
          return;
        }
        if (msg.event) {
          for (const l of listeners.get(msg.event) ?? []) l(msg.payload);
          return;
        }
        const p = typeof msg.id === 'number' ? pending.get(msg.id) : undefined;
        if (p && msg.result) {
          clearTimeout(p.timer);
          pending.delete(msg.id as number);
          p.resolve(msg.result);
        }
      };
      sock.onclose = () => {
        const wasOpen = ws === sock;
        ws = undefined;
        open = undefined;
        for (const [id, p] of pending) {
          clearTimeout(p.timer);
          p.resolve(fail('unavailable', 'the connection to the Lianluo host was lost'));
          pending.delete(id);
        }
        if (!wasOpen) reject(new Error('cannot reach the Lianluo host'));
        // Keep events flowing after a host restart; requests reconnect on demand anyway.
        if (listeners.size) setTimeout(() => void connect().catch(() => undefined), (retryMs = Math.min(retryMs * 2, 5000)));
      };
    });
    return open;
  };

  const transport: BridgeTransport = {
    async invoke(channel, payload) {
      let sock: WebSocket;
      try {
        sock = ws ?? (await connect());
      } catch (e) {
        return fail('unavailable', (e as Error).message);
      }
      const id = nextId++;
      return new Promise<WireResult<unknown>>((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          resolve(fail('unavailable', `${channel} timed out`));
        }, REQUEST_TIMEOUT_MS);
        pending.set(id, { resolve, timer });
        sock.send(JSON.stringify({ id, channel, payload }));
      });
    },
    subscribe(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      void connect().catch(() => undefined);
      return () => {
        set.delete(listener);
      };
    },
  };
  return buildBridge(transport);
}
