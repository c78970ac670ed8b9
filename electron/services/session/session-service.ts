// The desktop's sign-in to its backend. The session token lives in the secret store (the OS keychain
// under Electron), never in settings or the renderer. Signing in also brings the agent's SIP account
// (so an agent types one password); a token the backend refuses (expired, revoked) ends the session
// and the agent is back at the sign-in screen with a plain message.
import { z } from 'zod';
import { ApiError, Session, type Me, type SipSettings } from '../../../shared/sync/api';
import type { SessionInfo, SignInError, SignInRequest } from '../../../shared/domain/session';
import type { Logger } from '../router';
import type { SecretStore } from '../secrets/secret-store';
import type { BackendHost } from '../backend-host/backend-host';

export const SESSION_KEY = 'backend.session';
/** The user whose SIP account (from the backend) is in the settings: removed when they sign out. */
export const SIP_OWNER_KEY = 'backend.sip-owner';

const Stored = z.object({
  /** BackendHost.identity of the backend that issued the token. */
  backend: z.string(),
  token: z.string().min(1),
  expiresAt: z.number().int(),
  user: z.object({ username: z.string(), displayName: z.string(), role: z.enum(['agent', 'supervisor', 'admin']) }),
  team: z.string().nullable(),
});
type Stored = z.infer<typeof Stored>;

export interface SessionDeps {
  secrets: SecretStore;
  /** The backend the settings (or the environment) point at; switched by signIn with another URL. */
  host(): BackendHost;
  switchHost(url: string | null): Promise<BackendHost>;
  /** Put the SIP account from the sign-in into the settings and its password into the secret store. */
  applySip(sip: SipSettings): Promise<void>;
  forgetSip(): Promise<void>;
  /** Whether to sign in as the built-in backend's demo agent when nobody is signed in. */
  demoSignIn(): boolean;
  setDemoSignIn(on: boolean): void;
  onChange(info: SessionInfo): void;
  log: Logger;
  fetch?: typeof fetch;
  now?: () => number;
  /** How long a request to the backend may take. */
  timeoutMs?: number;
}

export interface Connection {
  baseUrl: string;
  token: string;
}

export class SessionService {
  private stored: Stored | null = null;
  private status: SessionInfo['status'] = 'signed_out';
  private ended: SessionInfo['ended'] = null;
  private error: SessionInfo['error'] = null;
  private unwatch: (() => void) | null = null;

  constructor(private readonly d: SessionDeps) {
    this.watch();
  }

  private get fetch(): typeof fetch {
    return this.d.fetch ?? fetch;
  }

  private now(): number {
    return (this.d.now ?? Date.now)();
  }

  private watch(): void {
    this.unwatch?.();
    this.unwatch = this.d.host().onChange(() => this.changed());
  }

  info(): SessionInfo {
    const host = this.d.host();
    const s = this.stored;
    return {
      status: this.status,
      backend: { mode: host.mode, url: host.currentUrl(), state: host.state() },
      user: s && this.status === 'signed_in' ? { ...s.user, team: s.team } : null,
      expiresAt: s && this.status === 'signed_in' ? s.expiresAt : null,
      ended: this.ended,
      error: this.error ?? (host.state() === 'failed' ? { code: 'backend_failed', detail: (host.error() ?? '').slice(0, 500) } : null),
      demoUser: host.demoAgent()?.username ?? null,
    };
  }

  /** Where to sync from, once signed in and the backend is up. */
  connection(): Connection | null {
    const url = this.d.host().currentUrl();
    return this.status === 'signed_in' && this.stored && url ? { baseUrl: url, token: this.stored.token } : null;
  }

  private changed(): void {
    this.d.onChange(this.info());
  }

  /**
   * At start: a stored session for this backend counts as signed in straight away (the cache works
   * offline), then is checked with the backend; none, with the built-in backend, signs in as its demo
   * agent unless someone signed out on purpose.
   */
  async restore(): Promise<void> {
    const host = this.d.host();
    if (host.mode === 'off') return;
    const raw = await this.d.secrets.get(SESSION_KEY);
    let stored: Stored | null = null;
    if (raw) {
      try {
        const parsed = Stored.safeParse(JSON.parse(raw));
        if (parsed.success) stored = parsed.data;
      } catch {
        stored = null;
      }
    }
    if (stored && stored.backend === host.identity) {
      if (stored.expiresAt <= this.now()) {
        await this.end('expired');
        return;
      }
      this.stored = stored;
      this.status = 'signed_in';
      this.changed();
      void this.check();
      return;
    }
    if (host.mode === 'embedded' && this.d.demoSignIn()) await this.signInDemo();
  }

  /** Ask the backend whether the token is still good (after start, after the backend came back). */
  async check(): Promise<void> {
    const s = this.stored;
    if (!s) return;
    try {
      const base = await this.d.host().url();
      const res = await this.fetch(`${base}/v1/auth/me`, { headers: { authorization: `Bearer ${s.token}` }, signal: AbortSignal.timeout(this.d.timeoutMs ?? 10_000) });
      if (this.stored !== s) return;
      if (res.status === 401) {
        await this.end(s.expiresAt <= this.now() ? 'expired' : 'revoked');
        return;
      }
      if (res.status !== 200) return;
      const me = (await res.json()) as Me;
      this.stored = { ...s, expiresAt: me.expiresAt, user: { username: me.user.username, displayName: me.user.displayName, role: me.user.role }, team: me.team?.name ?? null };
      await this.d.secrets.set(SESSION_KEY, JSON.stringify(this.stored));
      this.changed();
    } catch (e) {
      this.d.log.info(`could not check the session with the backend now (${e instanceof Error ? e.message : String(e)}); keeping it`);
    }
  }

  async signIn(req: SignInRequest): Promise<SessionInfo> {
    const host = this.d.host();
    const identity = req.backendUrl === null ? 'embedded' : req.backendUrl.replace(/\/+$/, '');
    if (identity !== host.identity) {
      if (this.stored) await this.signOut({ remote: true, keepDemo: true });
      await this.d.switchHost(req.backendUrl);
      this.watch();
    }
    return this.login(req.username, req.password);
  }

  /** The built-in backend's demo agent (its password is in <data>/backend/demo-accounts.json). */
  async signInDemo(): Promise<SessionInfo> {
    const host = this.d.host();
    if (host.mode !== 'embedded') {
      if (this.stored) await this.signOut({ remote: true, keepDemo: true });
      await this.d.switchHost(null);
      this.watch();
    }
    try {
      await this.d.host().url();
    } catch (e) {
      return this.failed('backend_failed', e instanceof Error ? e.message : String(e));
    }
    const demo = this.d.host().demoAgent();
    if (!demo) return this.failed('server', 'the built-in backend has no demo agent (its data was not seeded by this app)');
    return this.login(demo.username, demo.password);
  }

  private failed(code: SignInError, detail: string): SessionInfo {
    this.status = this.stored ? 'signed_in' : 'signed_out';
    this.error = { code, detail: detail.slice(0, 500) };
    this.changed();
    return this.info();
  }

  private async login(username: string, password: string): Promise<SessionInfo> {
    this.status = 'signing_in';
    this.error = null;
    this.changed();
    const host = this.d.host();
    let base: string;
    try {
      base = await host.url();
    } catch (e) {
      return this.failed(host.mode === 'embedded' ? 'backend_failed' : 'unreachable', e instanceof Error ? e.message : String(e));
    }
    let res: Response;
    try {
      res = await this.fetch(`${base}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
        signal: AbortSignal.timeout(this.d.timeoutMs ?? 15_000),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
      return this.failed('unreachable', `no answer from ${base} (${cause})`);
    }
    const text = await res.text().catch(() => '');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (res.status !== 200) {
      const api = ApiError.safeParse(body);
      if (!api.success) return this.failed('not_lianluo', `HTTP ${res.status} from ${base}: this does not look like a Lianluo backend`);
      const code: SignInError = res.status === 401 ? 'wrong_password' : res.status === 429 ? 'rate_limited' : 'server';
      return this.failed(code, api.data.error.message);
    }
    const session = Session.safeParse(body);
    if (!session.success) return this.failed('not_lianluo', `${base} answered the sign-in with something that is not a Lianluo session`);
    const s = session.data;
    this.stored = {
      backend: host.identity,
      token: s.token,
      expiresAt: s.expiresAt,
      user: { username: s.user.username, displayName: s.user.displayName, role: s.user.role },
      team: s.team?.name ?? null,
    };
    await this.d.secrets.set(SESSION_KEY, JSON.stringify(this.stored));
    const owner = `${host.identity} ${s.user.username}`;
    if (s.sip) {
      await this.d.applySip(s.sip);
      await this.d.secrets.set(SIP_OWNER_KEY, owner);
    } else if ((await this.d.secrets.get(SIP_OWNER_KEY)) !== undefined && (await this.d.secrets.get(SIP_OWNER_KEY)) !== owner) {
      // Someone else's extension from an earlier sign-in must not ring for this agent.
      await this.d.forgetSip();
      await this.d.secrets.delete(SIP_OWNER_KEY);
    }
    if (!this.d.demoSignIn() && host.mode === 'embedded' && username === host.demoAgent()?.username) this.d.setDemoSignIn(true);
    this.status = 'signed_in';
    this.ended = null;
    this.error = null;
    this.changed();
    return this.info();
  }

  /** Sign out on purpose: the backend revokes the token; the SIP account that came with it is removed. */
  async signOut(opts: { remote?: boolean; keepDemo?: boolean } = {}): Promise<SessionInfo> {
    const s = this.stored;
    this.stored = null;
    this.status = 'signed_out';
    this.ended = null;
    this.error = null;
    await this.d.secrets.delete(SESSION_KEY);
    if ((await this.d.secrets.get(SIP_OWNER_KEY)) !== undefined) {
      await this.d.forgetSip();
      await this.d.secrets.delete(SIP_OWNER_KEY);
    }
    if (!opts.keepDemo && this.d.host().mode === 'embedded') this.d.setDemoSignIn(false);
    this.changed();
    const url = this.d.host().currentUrl();
    if (s && url && opts.remote !== false) {
      await this.fetch(`${url}/v1/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${s.token}` }, signal: AbortSignal.timeout(3000) }).catch(
        (e: unknown) => this.d.log.info(`sign-out could not reach the backend (${e instanceof Error ? e.message : String(e)}); the token expires on its own`),
      );
    }
    return this.info();
  }

  /** The backend refused the token: back to the sign-in screen, saying why. The SIP account stays. */
  async end(why: 'expired' | 'revoked'): Promise<void> {
    this.stored = null;
    this.status = 'signed_out';
    this.ended = why;
    await this.d.secrets.delete(SESSION_KEY);
    this.changed();
  }

  /** The sync or the live socket got a 401 with this token. */
  async refused(): Promise<void> {
    const s = this.stored;
    if (!s) return;
    await this.end(s.expiresAt <= this.now() ? 'expired' : 'revoked');
  }

  close(): void {
    this.unwatch?.();
  }
}
