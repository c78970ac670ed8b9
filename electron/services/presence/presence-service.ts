// The desktop's presence reporter and a team lead's view of their team, for the composition root.
// - report(): the renderer's agent store sends its presence now and on every change (presence.report);
//   bursts are coalesced (only the newest presence is sent), nothing is sent while signed out, and the
//   current presence is sent again after every (re)connection of the session's live socket (its hello),
//   so the backend always ends up with what the agent sees, also after it marked them Offline meanwhile.
//   The socket is the session's (session/live-connection.ts, one per signed-in desktop, also what keeps
//   the agent online); this service only subscribes to it.
// - The Not Ready reasons of the agent's team: fetched at sign-in, on reconnects and periodically, kept
//   in <data>/presence.json per agent, so the list is there offline; never fetched → the built-in list.
// - Team leads (session role supervisor or admin): their team with every member's presence, read at
//   (re)connection and then followed live from presence.changed on the socket.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_NOT_READY_REASONS, type AgentPresence } from '../../../shared/domain/agent-state';
import { ApiError, Me, Team } from '../../../shared/sync/api';
import { PRESENCE_ME_PATH, PRESENCE_REASONS_PATH, ReasonsAnswer, TeamPresence, type PresenceChanged } from '../../../shared/presence/api';
import type { ReasonsView, TeamView } from '../../../shared/presence/desktop';
import type { EventHub, Handlers, Logger } from '../router';
import type { LiveEvent, LiveFeed } from '../session/live-connection';
import { z } from 'zod';

export type PresenceHandlers = Pick<Handlers, 'presence.report' | 'presence.reasons' | 'presence.team'>;

/** What the service needs of the session: where, as whom, and how to say the token was refused. */
export interface PresenceLink {
  baseUrl: string;
  token: string;
  /** "<backend> <username>": whose cached reasons these are. */
  owner: string;
  role: 'agent' | 'supervisor' | 'admin';
  unauthorized(): void;
}

export interface PresenceServiceOptions {
  dataDir: string;
  events: Pick<EventHub, 'emit'>;
  log: Logger;
  /** How long a burst of changes is gathered before the newest is sent. */
  coalesceMs?: number;
  /** First retry delay after a report failed to reach the backend (doubles, up to a minute). */
  retryMs?: number;
  /** How often the reasons are refreshed while signed in. */
  refreshMs?: number;
  fetch?: typeof fetch;
  /** The session's live socket (opened and closed by the session, for the same token as the link). */
  live: LiveFeed;
  now?: () => number;
}

const CacheFile = z.record(z.string(), z.object({ reasons: ReasonsAnswer.shape.reasons, fetchedAt: z.number().int() }));

export class PresenceService {
  private link: PresenceLink | null = null;
  private readonly unsubscribe: () => void;
  private connected = false;
  private current: AgentPresence | null = null;
  private dirty = false;
  private sending = false;
  private flushTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  private refreshTimer: NodeJS.Timeout | null = null;
  private reasonsView: ReasonsView = { reasons: [...DEFAULT_NOT_READY_REASONS], source: 'default' };
  private teamView: TeamView = { team: null, teams: [], clockOffsetMs: 0, live: false, error: null };
  private teamId: number | null = null;
  private teamEmitTimer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Reports the backend accepted (tests and the log read it). */
  sent = 0;
  lastError: string | null = null;

  constructor(private readonly o: PresenceServiceOptions) {
    this.unsubscribe = o.live.subscribe({
      onHello: () => {
        if (this.link) this.onHello(this.link);
      },
      onMessage: (m: LiveEvent) => {
        if (m.type === 'presence.changed' && this.link) this.onPresence(m);
      },
      onConnected: (c) => this.setConnected(c),
    });
  }

  private setConnected(c: boolean): void {
    this.connected = c;
    if (this.link && this.teamView.live !== c && this.isLead()) this.setTeam({ ...this.teamView, live: c });
  }

  private get fetch(): typeof fetch {
    return this.o.fetch ?? fetch;
  }

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  private get cacheFile(): string {
    return join(this.o.dataDir, 'presence.json');
  }

  readonly handlers: PresenceHandlers = {
    'presence.report': (p) => {
      this.report(p);
      return {};
    },
    'presence.reasons': async ({ refresh }) => (refresh ? this.refreshReasons() : this.reasonsView),
    'presence.team': async ({ teamId }) => {
      if (teamId !== undefined && teamId !== this.teamId) {
        this.teamId = teamId;
        await this.loadTeam();
      } else if (!this.teamView.team && this.isLead()) {
        await this.loadTeam();
      }
      return this.teamView;
    },
  };

  private isLead(): boolean {
    return this.link !== null && (this.link.role === 'supervisor' || this.link.role === 'admin');
  }

  /** The session's link (null: signed out; nothing is sent then). */
  setLink(link: PresenceLink | null): void {
    const before = this.link;
    if (before && link && before.baseUrl === link.baseUrl && before.token === link.token && before.role === link.role) return;
    this.connected = false;
    this.link = link;
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    this.refreshTimer = null;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.failures = 0;
    if (!link || before?.owner !== link.owner) {
      this.teamId = null;
      this.setTeam({ team: null, teams: [], clockOffsetMs: 0, live: false, error: null });
    }
    this.setReasons(link ? this.cachedReasons(link.owner) : { reasons: [...DEFAULT_NOT_READY_REASONS], source: 'default' });
    if (!link || this.closed) return;
    this.dirty = this.current !== null;
    // The socket may be connected already (the same session, only the role changed): as after a hello.
    if (this.o.live.connected) this.onHello(link);
    this.refreshTimer = setInterval(() => void this.refreshReasons(), this.o.refreshMs ?? 5 * 60_000);
    this.refreshTimer.unref();
  }

  /** The agent store's presence. Sent once connected; a burst sends only the newest. */
  report(p: AgentPresence): void {
    this.current = p;
    this.dirty = true;
    this.schedule(this.o.coalesceMs ?? 100);
  }

  private schedule(ms: number): void {
    if (this.flushTimer || this.closed) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      void this.flush();
    }, ms);
    this.flushTimer.unref();
  }

  private onHello(link: PresenceLink): void {
    if (this.link !== link) return;
    this.connected = true;
    this.failures = 0;
    // Whatever the backend did while we were away (Offline after the grace, a restart), it hears the truth again.
    if (this.current) this.dirty = true;
    void this.flush();
    void this.refreshReasons();
    if (this.isLead()) void this.loadTeam();
  }

  private async request(link: PresenceLink, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown } | null> {
    try {
      const res = await this.fetch(`${link.baseUrl.replace(/\/+$/, '')}${path}`, {
        method,
        headers: { authorization: `Bearer ${link.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(8000),
      });
      const text = await res.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      if (res.status === 401 && this.link === link) link.unauthorized();
      return { status: res.status, json };
    } catch {
      return null;
    }
  }

  private async flush(): Promise<void> {
    const link = this.link;
    if (!link || !this.connected || !this.dirty || !this.current || this.closed) return;
    if (this.sending) return; // the one in flight reschedules when it ends
    this.sending = true;
    this.dirty = false;
    const presence = this.current;
    const res = await this.request(link, 'PUT', PRESENCE_ME_PATH, { presence, sentAt: this.now() });
    this.sending = false;
    if (this.link !== link || this.closed) return;
    if (res && res.status === 200) {
      this.sent++;
      this.failures = 0;
      this.lastError = null;
    } else if (res && res.status >= 400 && res.status < 500) {
      // Refused (a reason the team does not have): resending it would be refused again.
      const api = ApiError.safeParse(res.json);
      this.lastError = api.success ? api.data.error.message : `HTTP ${res.status}`;
      this.o.log.warn(`presence: the backend refused ${presence.state}${presence.reasonId ? ` (${presence.reasonId})` : ''}: ${this.lastError}`);
    } else {
      // No answer, or a server error: try again (the next hello resends anyway).
      if (this.current === presence) this.dirty = true;
      this.lastError = res ? `HTTP ${res.status}` : 'the backend did not answer';
      const delay = Math.min(60_000, (this.o.retryMs ?? 1000) * 2 ** this.failures++);
      if (!this.retryTimer) {
        this.retryTimer = setTimeout(() => {
          this.retryTimer = null;
          void this.flush();
        }, delay);
        this.retryTimer.unref();
      }
    }
    if (this.dirty) this.schedule(0);
  }

  // ---------------------------------------------------------------- Not Ready reasons

  private readCache(): z.infer<typeof CacheFile> {
    try {
      if (!existsSync(this.cacheFile)) return {};
      const r = CacheFile.safeParse(JSON.parse(readFileSync(this.cacheFile, 'utf8')));
      return r.success ? r.data : {};
    } catch {
      return {};
    }
  }

  private cachedReasons(owner: string): ReasonsView {
    const c = this.readCache()[owner];
    return c ? { reasons: c.reasons, source: 'cache' } : { reasons: [...DEFAULT_NOT_READY_REASONS], source: 'default' };
  }

  private setReasons(v: ReasonsView): void {
    const same = JSON.stringify(v) === JSON.stringify(this.reasonsView);
    this.reasonsView = v;
    if (!same && !this.closed) this.o.events.emit('presence.reasons', v);
  }

  /** Ask the backend; on no answer keep what we have (the cached list, or the built-in one). */
  async refreshReasons(): Promise<ReasonsView> {
    const link = this.link;
    if (!link) return this.reasonsView;
    const res = await this.request(link, 'GET', PRESENCE_REASONS_PATH);
    const parsed = res?.status === 200 ? ReasonsAnswer.safeParse(res.json) : null;
    if (this.link !== link || this.closed || !parsed?.success) return this.reasonsView;
    const cache = this.readCache();
    cache[link.owner] = { reasons: parsed.data.reasons, fetchedAt: parsed.data.fetchedAt };
    try {
      mkdirSync(this.o.dataDir, { recursive: true });
      const tmp = `${this.cacheFile}.tmp`;
      writeFileSync(tmp, JSON.stringify(cache), { mode: 0o600 });
      renameSync(tmp, this.cacheFile);
    } catch (e) {
      this.o.log.warn(`presence: could not keep the Not Ready reasons for offline use (${e instanceof Error ? e.message : String(e)})`);
    }
    this.setReasons({ reasons: parsed.data.reasons, source: 'server' });
    return this.reasonsView;
  }

  // ---------------------------------------------------------------- a team lead's team

  private setTeam(v: TeamView): void {
    this.teamView = v;
    if (this.teamEmitTimer || this.closed) return;
    this.teamEmitTimer = setTimeout(() => {
      this.teamEmitTimer = null;
      if (!this.closed) this.o.events.emit('presence.team', this.teamView);
    }, 50);
    this.teamEmitTimer.unref();
  }

  /** Which teams the lead may watch, then the chosen (or own, or first) team with every member. */
  private async loadTeam(): Promise<void> {
    const link = this.link;
    if (!link || !this.isLead()) return;
    let teams = this.teamView.teams;
    if (this.teamId === null || teams.length === 0) {
      const [me, list] = await Promise.all([this.request(link, 'GET', '/v1/auth/me'), this.request(link, 'GET', '/v1/teams')]);
      const m = me?.status === 200 ? Me.safeParse(me.json) : null;
      const l = list?.status === 200 ? z.array(Team).safeParse(list.json) : null;
      if (this.link !== link) return;
      if (!m?.success || !l?.success) {
        this.setTeam({ ...this.teamView, error: me && list ? `the backend answered ${me.status}/${list.status}` : 'the backend did not answer' });
        return;
      }
      teams = l.data.map((t) => ({ id: t.id, name: t.name.slice(0, 80) }));
      this.teamId ??= m.data.user.teamId ?? teams[0]?.id ?? null;
    }
    const teamId = this.teamId;
    if (teamId === null) {
      this.setTeam({ team: null, teams, clockOffsetMs: 0, live: this.connected, error: null });
      return;
    }
    const res = await this.request(link, 'GET', `/v1/presence/team/${teamId}`);
    if (this.link !== link || this.teamId !== teamId) return;
    const parsed = res?.status === 200 ? TeamPresence.safeParse(res.json) : null;
    if (!parsed?.success) {
      const api = res ? ApiError.safeParse(res.json) : null;
      this.setTeam({ ...this.teamView, teams, error: api?.success ? api.data.error.message : res ? `HTTP ${res.status}` : 'the backend did not answer' });
      return;
    }
    this.setTeam({ team: parsed.data, teams, clockOffsetMs: Math.round(parsed.data.serverTime - this.now()), live: this.connected, error: null });
  }

  private onPresence(m: PresenceChanged): void {
    const team = this.teamView.team;
    if (!team) return;
    const listed = team.members.some((x) => x.userId === m.member.userId);
    let members = team.members;
    if (m.teamId === team.teamId) members = listed ? members.map((x) => (x.userId === m.member.userId ? m.member : x)) : [...members, m.member];
    else if (listed) members = members.filter((x) => x.userId !== m.member.userId); // moved to another team
    else return;
    this.setTeam({ ...this.teamView, team: { ...team, members } });
  }

  close(): void {
    this.closed = true;
    this.unsubscribe();
    for (const t of [this.flushTimer, this.retryTimer, this.teamEmitTimer]) if (t) clearTimeout(t);
    if (this.refreshTimer) clearInterval(this.refreshTimer);
  }
}
