// The desktop's one live socket (GET /v1/live, shared/sync/live.ts), owned by the session
// (desktop-session.ts): open exactly while signed in to a backend that is up, whether or not sync runs,
// because the backend counts an agent as online while a live socket of theirs is open. The sync engine
// and the presence service subscribe; each gets every (re)connection's hello, the messages it cares
// about (nudges; presence.changed for team leads), connected/disconnected and wake-ups.
// Reconnects with exponential backoff and full jitter; a heartbeat finds a dead connection (a laptop that
// slept, a backend that restarted, a NAT that forgot us) and a timer that fires far too late says the
// machine was asleep. A refused token (close 4401, or HTTP 401 instead of the upgrade) stops it for good
// and tells the owner once, which ends the session.
import WebSocket from 'ws';
import { LIVE_CLOSE, LIVE_PATH, LiveServerMessage } from '../../../shared/sync/live';
import { backoffDelay } from '../sync/backoff';

/** A server message other than hello and pong: each subscriber picks the types it knows. */
export type LiveEvent = Exclude<LiveServerMessage, { type: 'hello' } | { type: 'pong' }>;

export interface LiveSubscriber {
  /** Connected: the server's hello, after every (re)connection; `seq` is its newest committed change. */
  onHello?(seq: number): void;
  onMessage?(msg: LiveEvent): void;
  onConnected?(connected: boolean): void;
  /** The machine seems to have been asleep (a late heartbeat, or the shell said so): it reconnects now. */
  onWake?(): void;
}

/** What subscribers see of the connection. */
export interface LiveFeed {
  subscribe(s: LiveSubscriber): () => void;
  /** Connected now (a hello arrived on the current socket). */
  readonly connected: boolean;
}

export interface LiveTarget {
  baseUrl: string;
  token: string;
}

export interface LiveConnectionOptions {
  /** The token was refused (expired or revoked): the connection has stopped; end the session. */
  onUnauthorized(detail: string): void;
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

export class LiveConnection implements LiveFeed {
  private readonly subscribers = new Set<LiveSubscriber>();
  private target: LiveTarget | null = null;
  /** Open wanted: a target that was not refused. */
  private running = false;
  private socket: WebSocket | null = null;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private lastBeat = 0;
  private lastHeard = 0;
  private isConnected = false;
  private pingId = 0;

  constructor(private readonly o: LiveConnectionOptions) {}

  get connected(): boolean {
    return this.isConnected;
  }

  subscribe(s: LiveSubscriber): () => void {
    this.subscribers.add(s);
    return () => void this.subscribers.delete(s);
  }

  private get heartbeatMs(): number {
    return this.o.heartbeatMs ?? 20_000;
  }

  /**
   * Connect to this backend with this token (signed in), or close (null: signed out). The same target
   * again is a no-op, also after it was refused: a refused token is never tried again.
   */
  open(target: LiveTarget | null): void {
    const t = this.target;
    if (t && target && t.baseUrl === target.baseUrl && t.token === target.token) return;
    this.close();
    if (!target) return;
    this.target = { ...target };
    this.running = true;
    this.attempt = 0;
    this.connect();
    this.lastBeat = Date.now();
    this.heartbeat = setInterval(() => this.beat(), Math.max(50, Math.floor(this.heartbeatMs / 2)));
    this.heartbeat.unref();
  }

  /** Close the socket and forget the target (signed out, app closing). */
  close(): void {
    this.halt();
    this.target = null;
  }

  /** Drop the connection and connect again now (after sleep, or when the network is back). */
  reconnectNow(): void {
    if (!this.running) return;
    this.attempt = 0;
    this.drop();
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.connect();
  }

  /** The computer woke up: subscribers pull or resend (on the next hello), and the socket is redone now. */
  wake(): void {
    this.emit((s) => s.onWake?.());
    this.reconnectNow();
  }

  private emit(fn: (s: LiveSubscriber) => void): void {
    for (const s of [...this.subscribers]) {
      try {
        fn(s);
      } catch (e) {
        this.o.log?.warn(`live socket: a subscriber failed (${e instanceof Error ? e.message : String(e)})`);
      }
    }
  }

  private halt(): void {
    this.running = false;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.reconnectTimer = null;
    this.heartbeat = null;
    this.drop();
  }

  private setConnected(c: boolean): void {
    if (c === this.isConnected) return;
    this.isConnected = c;
    this.emit((s) => s.onConnected?.(c));
  }

  /** `clean`: a close frame, so the server starts the presence grace at once (not after its heartbeat). */
  private drop(clean = true): void {
    const s = this.socket;
    this.socket = null;
    if (s) {
      s.removeAllListeners();
      s.on('error', () => undefined);
      if (clean && s.readyState === WebSocket.OPEN) s.close(1000, 'bye');
      else s.terminate();
    }
    this.setConnected(false);
  }

  private connect(): void {
    const target = this.target;
    if (!this.running || !target || this.socket) return;
    const socket = new WebSocket(liveUrl(target.baseUrl), { headers: { authorization: `Bearer ${target.token}` }, handshakeTimeout: 10_000, maxPayload: 64 * 1024 });
    this.socket = socket;
    this.lastHeard = Date.now();
    const heard = () => {
      this.lastHeard = Date.now();
    };
    socket.on('open', heard);
    socket.on('ping', heard);
    socket.on('pong', heard);
    socket.on('message', (data, isBinary) => {
      heard();
      if (isBinary) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(String(data));
      } catch {
        return;
      }
      const m = LiveServerMessage.safeParse(parsed);
      if (!m.success) return; // a newer server's message: ignore it
      const msg = m.data;
      if (msg.type === 'hello') {
        this.attempt = 0;
        this.setConnected(true);
        this.emit((s) => s.onHello?.(msg.seq));
      } else if (msg.type !== 'pong') {
        this.emit((s) => s.onMessage?.(msg));
      }
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

  /** Stopped for good with this token (the target is kept, so opening it again does nothing). */
  private unauthorized(detail: string): void {
    if (!this.running) return;
    this.halt();
    this.o.onUnauthorized(detail);
  }

  private lost(clean = true): void {
    if (!this.running) return;
    this.drop(clean);
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
      this.wake();
      return;
    }
    const s = this.socket;
    if (!s || s.readyState !== WebSocket.OPEN) return;
    if (now - this.lastHeard > this.heartbeatMs * 2) {
      this.o.log?.warn('live socket: no answer to the heartbeat; reconnecting');
      this.lost(false); // nobody is listening: no close handshake to wait for
      return;
    }
    if (now - this.lastHeard >= this.heartbeatMs) s.send(JSON.stringify({ type: 'ping', id: String(++this.pingId) }));
  }
}
