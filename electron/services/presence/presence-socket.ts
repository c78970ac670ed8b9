// The presence service's own live socket (/v1/live, shared/sync/live.ts). It is what keeps the agent
// online on the backend (the last socket closing makes them Offline after a grace), it carries a team
// lead's presence.changed messages, and every (re)connection's hello tells the service to send the
// current presence again. Separate from the sync engine's socket on purpose: presence must not depend
// on how the cache is synced. Reconnects with backoff; a silent connection is dropped and redone.
import WebSocket from 'ws';
import { LIVE_CLOSE, LiveServerMessage } from '../../../shared/sync/live';
import type { PresenceChanged } from '../../../shared/presence/api';
import { backoffDelay } from '../sync/backoff';
import { liveUrl } from '../sync/live-client';

export interface PresenceSocketHandlers {
  /** Connected (the server's hello): resend, refetch. */
  onHello(): void;
  onPresence(msg: PresenceChanged): void;
  onConnected(connected: boolean): void;
  /** The token was refused: do not reconnect with it. */
  onUnauthorized(): void;
}

export interface PresenceSocketOptions {
  baseUrl: string;
  token: string;
  handlers: PresenceSocketHandlers;
  heartbeatMs?: number;
  minDelayMs?: number;
  maxDelayMs?: number;
}

export class PresenceSocket {
  private socket: WebSocket | null = null;
  private stopped = true;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private lastHeard = 0;
  private connected = false;
  private pingId = 0;

  constructor(private readonly o: PresenceSocketOptions) {}

  private get heartbeatMs(): number {
    return this.o.heartbeatMs ?? 20_000;
  }

  start(): void {
    this.stopped = false;
    this.connect();
    this.heartbeat = setInterval(() => this.beat(), Math.max(50, Math.floor(this.heartbeatMs / 2)));
    this.heartbeat.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.reconnectTimer = null;
    this.heartbeat = null;
    this.drop();
  }

  /** Connect again now (the computer woke up). */
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
      // A clean close lets the server start the grace at once (terminate would wait for its heartbeat).
      if (s.readyState === WebSocket.OPEN) s.close(1000, 'bye');
      else s.terminate();
    }
    this.setConnected(false);
  }

  private connect(): void {
    if (this.stopped || this.socket) return;
    const socket = new WebSocket(liveUrl(this.o.baseUrl), { headers: { authorization: `Bearer ${this.o.token}` }, handshakeTimeout: 10_000, maxPayload: 64 * 1024 });
    this.socket = socket;
    this.lastHeard = Date.now();
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
      if (!m.success) return; // a newer server's message
      if (m.data.type === 'hello') {
        this.attempt = 0;
        this.setConnected(true);
        this.o.handlers.onHello();
      } else if (m.data.type === 'presence.changed') {
        this.o.handlers.onPresence(m.data);
      }
    });
    socket.on('ping', () => {
      this.lastHeard = Date.now();
    });
    socket.on('pong', () => {
      this.lastHeard = Date.now();
    });
    socket.on('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      if (status === 401) return this.unauthorized();
      this.lost();
    });
    socket.on('close', (code) => (code === LIVE_CLOSE.unauthorized ? this.unauthorized() : this.lost()));
    socket.on('error', () => this.lost());
  }

  private unauthorized(): void {
    this.stop();
    this.o.handlers.onUnauthorized();
  }

  private lost(): void {
    if (this.stopped) return;
    this.drop();
    if (this.reconnectTimer) return;
    const delay = backoffDelay(this.attempt++, this.o.minDelayMs ?? 500, this.o.maxDelayMs ?? 30_000);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
    this.reconnectTimer.unref();
  }

  private beat(): void {
    const s = this.socket;
    if (!s || s.readyState !== WebSocket.OPEN) return;
    const quiet = Date.now() - this.lastHeard;
    if (quiet > this.heartbeatMs * 2) {
      this.lost();
      return;
    }
    if (quiet >= this.heartbeatMs) s.send(JSON.stringify({ type: 'ping', id: `p${++this.pingId}` }));
  }
}
