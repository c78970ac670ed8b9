// The desktop's end of the live socket (shared/sync/live.ts): the backend nudges, the sync engine pulls.
// Reconnects with exponential backoff and full jitter; a heartbeat finds a dead connection (a laptop
// that slept, a backend that restarted, a NAT that forgot us) and a timer that fires far too late
// says the machine was asleep. Every (re)connection starts with the server's hello, whose seq tells
// the engine whether it missed anything meanwhile.
import WebSocket from 'ws';
import { LIVE_CLOSE, LIVE_PATH, LiveServerMessage } from '../../../shared/sync/live';
import type { SyncStream } from '../../../shared/sync/protocol';
import { backoffDelay } from './backoff';

export interface LiveHandlers {
  /** The server's newest seq for a stream (hello: both streams). */
  onNudge(stream: SyncStream, seq: number): void;
  /** The token was refused (expired or revoked): do not reconnect with it. */
  onUnauthorized(detail: string): void;
  onConnected(connected: boolean): void;
  /** The machine seems to have been asleep: pull now rather than at the next nudge. */
  onWake(): void;
}

export interface LiveOptions {
  baseUrl: string;
  token: string;
  handlers: LiveHandlers;
  heartbeatMs?: number;
  /** First reconnect delay and the cap of the backoff. */
  minDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
  log?: { warn(msg: string): void };
}

export function liveUrl(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '').replace(/^http/, 'ws') + LIVE_PATH;
}

export class LiveClient {
  private socket: WebSocket | null = null;
  private stopped = false;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private lastBeat = 0;
  private lastHeard = 0;
  private connected = false;
  private pingId = 0;

  constructor(private readonly o: LiveOptions) {}

  private get heartbeatMs(): number {
    return this.o.heartbeatMs ?? 20_000;
  }

  start(): void {
    this.stopped = false;
    this.connect();
    this.lastBeat = Date.now();
    this.heartbeat = setInterval(() => this.beat(), Math.max(50, Math.floor(this.heartbeatMs / 2)));
    this.heartbeat.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.reconnectTimer = null;
    this.heartbeat = null;
    const s = this.socket;
    this.socket = null;
    if (s) {
      s.removeAllListeners();
      s.on('error', () => undefined);
      s.terminate();
    }
    this.setConnected(false);
  }

  /** Drop the connection and connect again now (after sleep, or when the network is back). */
  reconnectNow(): void {
    if (this.stopped) return;
    this.attempt = 0;
    this.drop();
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.connect();
  }

  private setConnected(c: boolean): void {
    if (c === this.connected) return;
    this.connected = c;
    this.o.handlers.onConnected(c);
  }

  private drop(): void {
    const s = this.socket;
    this.socket = null;
    if (s) {
      s.removeAllListeners();
      s.on('error', () => undefined);
      s.terminate();
    }
    this.setConnected(false);
  }

  private connect(): void {
    if (this.stopped || this.socket) return;
    const socket = new WebSocket(liveUrl(this.o.baseUrl), { headers: { authorization: `Bearer ${this.o.token}` }, handshakeTimeout: 10_000, maxPayload: 64 * 1024 });
    this.socket = socket;
    this.lastHeard = Date.now();
    socket.on('open', () => {
      this.lastHeard = Date.now();
    });
    socket.on('message', (data, isBinary) => {
      this.lastHeard = Date.now();
      if (isBinary) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(String(data));
      } catch {
        return;
      }
      const m = LiveServerMessage.safeParse(parsed);
      if (!m.success) return; // a newer server's message: ignore it
      switch (m.data.type) {
        case 'hello':
          this.attempt = 0;
          this.setConnected(true);
          this.o.handlers.onNudge('customers', m.data.seq);
          this.o.handlers.onNudge('interactions', m.data.seq);
          break;
        case 'customers.changed':
          this.o.handlers.onNudge('customers', m.data.seq);
          break;
        case 'interactions.changed':
          this.o.handlers.onNudge('interactions', m.data.seq);
          break;
        case 'pong':
          break;
      }
    });
    socket.on('pong', () => {
      this.lastHeard = Date.now();
    });
    socket.on('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      if (status === 401) {
        this.unauthorized('the backend refused the session token on the live socket');
        return;
      }
      this.o.log?.warn(`live socket: HTTP ${status} instead of a WebSocket upgrade`);
      this.lost();
    });
    socket.on('close', (code, reason) => {
      if (code === LIVE_CLOSE.unauthorized) {
        this.unauthorized(reason.toString() || 'session ended');
        return;
      }
      this.lost();
    });
    socket.on('error', () => this.lost());
  }

  private unauthorized(detail: string): void {
    this.stop();
    this.o.handlers.onUnauthorized(detail);
  }

  private lost(): void {
    if (this.stopped) return;
    this.drop();
    if (this.reconnectTimer) return;
    const delay = backoffDelay(this.attempt++, this.o.minDelayMs ?? 500, this.o.maxDelayMs ?? 30_000, this.o.random);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
    this.reconnectTimer.unref();
  }

  private beat(): void {
    const now = Date.now();
    const gap = now - this.lastBeat;
    this.lastBeat = now;
    // The timer fires every heartbeat/2: a much later tick means the process (or the machine) slept.
    if (gap > this.heartbeatMs * 2) {
      this.o.handlers.onWake();
      this.reconnectNow();
      return;
    }
    const s = this.socket;
    if (!s || s.readyState !== WebSocket.OPEN) return;
    if (now - this.lastHeard > this.heartbeatMs * 2) {
      this.o.log?.warn('live socket: no answer to the heartbeat; reconnecting');
      this.lost();
      return;
    }
    if (now - this.lastHeard >= this.heartbeatMs) s.send(JSON.stringify({ type: 'ping', id: String(++this.pingId) }));
  }
}
