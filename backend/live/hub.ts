// The live socket's server side. Each backend instance LISTENs on the events channel of its database;
// every committed change (from any instance) arrives here and is forwarded to this instance's sockets as
// a nudge. Bursts are coalesced per event-loop turn: a client needs the newest seq, not every seq.
// Sessions are re-checked when a revocation is announced and on every heartbeat, so a revoked or
// expired token loses its socket within one heartbeat at the latest, and the role and team it forwards by
// follow an admin's change of the user at once (no presence reaches it until re-read). Presence: each socket is registered
// with the presence tracker (its last one closing makes the agent Offline after a grace), and presence
// changes from any instance go to the sockets of that team's supervisors and of admins, nobody else.
import type { WebSocket } from 'ws';
import { LIVE_CLOSE, LiveClientMessage, type LiveServerMessage } from '../../shared/sync/live';
import { principalOf, type Principal } from '../auth/accounts';
import { EVENTS_CHANNEL, highWater, type BackendEvent } from '../db/changes';
import type { Db } from '../db/db';
import type { PresenceTracker } from '../presence/tracker';

interface Client {
  socket: WebSocket;
  /** Who the socket's session stands for, re-read on every heartbeat and when an admin changes the user. */
  principal: Principal;
  alive: boolean;
  /** Set from a change of the user until the re-read is done: no presence goes to it meanwhile. */
  stale: boolean;
}

export interface HubLog {
  warn(obj: object, msg: string): void;
}

export class LiveHub {
  private readonly clients = new Set<Client>();
  private stopListening: (() => Promise<void>) | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private pending: { customers?: number; interactions?: number } = {};
  private flushScheduled = false;

  constructor(
    private readonly db: Db,
    private readonly log: HubLog,
    private readonly heartbeatMs = 30_000,
    private readonly presence: PresenceTracker | null = null,
  ) {}

  async start(): Promise<void> {
    this.stopListening = await this.db.listen(
      EVENTS_CHANNEL,
      (payload) => this.onEvent(payload),
      () => void this.onGap(),
    );
    this.heartbeat = setInterval(() => void this.beat(), this.heartbeatMs);
    this.heartbeat.unref();
    this.presence?.start();
  }

  get size(): number {
    return this.clients.size;
  }

  async add(socket: WebSocket, principal: Principal): Promise<void> {
    const client: Client = { socket, principal, alive: true, stale: false };
    this.clients.add(client);
    const registered = this.presence ? this.presence.opened(principal.userId) : null;
    let gone = false;
    const forget = () => {
      this.clients.delete(client);
      if (gone || !registered) return;
      gone = true;
      void registered
        .then((id) => this.presence?.socketClosed(principal.userId, id))
        .catch((err: unknown) => this.log.warn({ err }, 'presence: could not record a closed live socket'));
    };
    socket.on('pong', () => {
      client.alive = true;
    });
    socket.on('close', forget);
    socket.on('error', forget);
    socket.on('message', (data, isBinary) => {
      let msg: unknown;
      try {
        msg = isBinary ? undefined : JSON.parse(String(data));
      } catch {
        msg = undefined;
      }
      const parsed = LiveClientMessage.safeParse(msg);
      if (!parsed.success) {
        socket.close(LIVE_CLOSE.badMessage, 'not a live client message');
        return;
      }
      client.alive = true;
      this.send(client, { type: 'pong', id: parsed.data.id });
    });
    if (registered) await registered;
    this.send(client, { type: 'hello', seq: await highWater(this.db), serverTime: Date.now() });
  }

  private send(client: Client, msg: LiveServerMessage): void {
    if (client.socket.readyState === client.socket.OPEN) client.socket.send(JSON.stringify(msg));
  }

  private onEvent(payload: string): void {
    let event: BackendEvent;
    try {
      event = JSON.parse(payload) as BackendEvent;
    } catch {
      this.log.warn({ payload: payload.slice(0, 200) }, 'ignored a malformed backend event');
      return;
    }
    if (event.type === 'changes') {
      if (event.customers !== undefined) this.pending.customers = Math.max(this.pending.customers ?? 0, event.customers);
      if (event.interactions !== undefined) this.pending.interactions = Math.max(this.pending.interactions ?? 0, event.interactions);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    } else if (event.type === 'presence') {
      const { type: _type, ...rest } = event;
      const msg: LiveServerMessage = { type: 'presence.changed', ...rest };
      for (const c of this.clients) {
        const p = c.principal;
        if (c.stale) continue;
        if (p.role === 'admin' || (p.role === 'supervisor' && p.teamId !== null && p.teamId === event.teamId)) this.send(c, msg);
      }
    } else if (event.type === 'user.changed') {
      for (const c of this.clients) {
        if (c.principal.userId !== event.userId) continue;
        c.stale = true;
        void this.recheck(c);
      }
    } else if (event.type === 'sessions.revoked') {
      for (const c of this.clients) {
        if (c.principal.userId !== event.userId) continue;
        if (event.tokenHash !== undefined && event.tokenHash !== c.principal.tokenHash) continue;
        void this.recheck(c);
      }
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    const { customers, interactions } = this.pending;
    this.pending = {};
    for (const c of this.clients) {
      if (customers !== undefined) this.send(c, { type: 'customers.changed', seq: customers });
      if (interactions !== undefined) this.send(c, { type: 'interactions.changed', seq: interactions });
    }
  }

  /** The listening connection was lost for a while: tell every client to check both streams. */
  private async onGap(): Promise<void> {
    try {
      const seq = await highWater(this.db);
      this.pending = { customers: seq, interactions: seq };
      this.flush();
    } catch (err) {
      this.log.warn({ err }, 'could not read the high-water mark after a listener reconnect');
    }
  }

  /** The session still valid? Its role and team as they are now (a lead moved or demoted stops hearing the old team). */
  private async recheck(c: Client): Promise<void> {
    try {
      const now = c.principal.expiresAt > Date.now() ? await principalOf(this.db, c.principal.tokenHash) : null;
      if (!now) {
        c.socket.close(LIVE_CLOSE.unauthorized, 'session ended: sign in again');
        return;
      }
      c.principal = now;
      c.stale = false;
    } catch (err) {
      // Stays stale (no presence) until a later heartbeat reads it.
      this.log.warn({ err }, 'could not re-check a live session');
    }
  }

  private async beat(): Promise<void> {
    for (const c of this.clients) {
      if (!c.alive) {
        c.socket.terminate();
        this.clients.delete(c);
        continue;
      }
      c.alive = false;
      c.socket.ping();
      await this.recheck(c);
    }
  }

  async close(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    for (const c of this.clients) c.socket.close(LIVE_CLOSE.goingAway, 'server shutting down');
    this.clients.clear();
    await this.presence?.close();
    const stop = this.stopListening;
    this.stopListening = null;
    if (stop) await stop().catch(() => undefined);
  }
}
