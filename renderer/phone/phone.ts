// The softphone: SIP.js UserAgent + Registerer behind a small call model. It writes snapshots to the
// phone store and never lets a SIP.js object out; views call its methods (answer, reject, hang up).
import {
  Invitation,
  Registerer,
  RegistererState,
  SessionState,
  UserAgent,
  type Session,
  type Web,
} from 'sip.js';
import type { SipAccount } from '../../shared/domain/settings';
import type { EndReason, PhoneStore } from '../stores/phone-store';
import { callerIdentity } from './identity';
import { attachRemoteAudio, microphonePresent, microphoneProblem } from './media';

export interface PhoneHooks {
  /**
   * Called synchronously when an INVITE arrives, before the UI updates: the screen pop starts here. When it
   * returns a promise (the lookup), the ringing call is shown once it settles or after POP_WAIT_MS, so the
   * agent sees the call and the caller's card in the same frame instead of a "looking up" flash.
   */
  onIncoming?(callId: string, number: string): Promise<unknown> | void;
  onEnded?(callId: string, reason: EndReason): void;
}

interface LiveCall {
  session: Session;
  answered: boolean;
  endedByUs?: EndReason;
  detachAudio?: () => void;
}

const RECONNECT_MAX_MS = 30_000;
/** Longest the ringing call waits for its card before it is shown anyway. */
export const POP_WAIT_MS = 50;

export class Phone {
  private ua: UserAgent | undefined;
  private registerer: Registerer | undefined;
  private readonly calls = new Map<string, LiveCall>();
  private lastInviteRx: number | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private reconnectDelay = 1000;
  private generation = 0;

  constructor(
    private readonly store: PhoneStore,
    private readonly hooks: PhoneHooks = {},
  ) {}

  /** Connect and register; replaces any previous account. Problems end up in the store, never thrown. */
  async start(account: SipAccount, password: string): Promise<void> {
    await this.stop();
    const gen = ++this.generation;
    const s = this.store.getState();
    const uri = UserAgent.makeURI(account.sipUri);
    if (!uri) {
      s.setRegistration('failed', 'rejected', `invalid SIP URI ${account.sipUri}`);
      return;
    }
    void this.checkMicrophone();
    const ua = new UserAgent({
      uri,
      displayName: account.displayName || undefined,
      authorizationUsername: account.authUser || uri.user,
      authorizationPassword: password,
      transportOptions: { server: account.wsUrl, connectionTimeout: 5, keepAliveInterval: 25 },
      sessionDescriptionHandlerFactoryOptions: {
        peerConnectionConfiguration: { iceServers: [] },
        iceGatheringTimeout: 1000,
      },
      userAgentString: 'Lianluo',
      logLevel: 'error',
      delegate: {
        onInvite: (inv) => this.onInvite(inv),
        onDisconnect: (error) => {
          if (gen !== this.generation) return;
          if (error) {
            this.store.getState().setRegistration('unregistered', 'connection_lost', error.message);
            this.scheduleReconnect(gen);
          }
        },
      },
    });
    this.ua = ua;
    this.tapTransport(ua);
    s.setRegistration('connecting');
    try {
      await ua.start();
    } catch (e) {
      if (gen !== this.generation) return;
      this.store.getState().setRegistration('failed', 'server_unreachable', e instanceof Error ? e.message : String(e));
      this.scheduleReconnect(gen);
      return;
    }
    if (gen !== this.generation) return;
    this.register(gen);
  }

  private register(gen: number): void {
    const ua = this.ua;
    if (!ua) return;
    const registerer = (this.registerer ??= new Registerer(ua, { expires: 300 }));
    registerer.stateChange.addListener((st) => {
      if (gen !== this.generation) return;
      if (st === RegistererState.Registered) {
        this.reconnectDelay = 1000;
        this.store.getState().setRegistration('registered');
      } else if (st === RegistererState.Unregistered && this.store.getState().registration === 'registered') {
        this.store.getState().setRegistration('unregistered', 'connection_lost');
      }
    });
    registerer
      .register({
        requestDelegate: {
          onReject: (res) => {
            if (gen !== this.generation) return;
            const code = res.message.statusCode ?? 0;
            const detail = `${code} ${res.message.reasonPhrase ?? ''}`.trim();
            const auth = code === 401 || code === 403 || code === 407;
            this.store.getState().setRegistration('failed', auth ? 'wrong_password' : 'rejected', detail);
          },
        },
      })
      .catch((e: unknown) => {
        if (gen === this.generation) this.store.getState().setRegistration('failed', 'rejected', String(e));
      });
  }

  private scheduleReconnect(gen: number): void {
    clearTimeout(this.reconnectTimer);
    const delay = this.reconnectDelay * (0.8 + Math.random() * 0.4);
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, RECONNECT_MAX_MS);
    this.reconnectTimer = setTimeout(() => {
      if (gen !== this.generation || !this.ua) return;
      this.ua
        .reconnect()
        .then(() => gen === this.generation && this.register(gen))
        .catch(() => gen === this.generation && this.scheduleReconnect(gen));
    }, delay);
  }

  /** Unregister and disconnect. Live calls are ended first. */
  async stop(): Promise<void> {
    this.generation++;
    clearTimeout(this.reconnectTimer);
    for (const id of [...this.calls.keys()]) await this.hangup(id).catch(() => undefined);
    const ua = this.ua;
    const registerer = this.registerer;
    this.ua = undefined;
    this.registerer = undefined;
    if (registerer && registerer.state === RegistererState.Registered) await registerer.unregister().catch(() => undefined);
    if (ua) await ua.stop().catch(() => undefined);
    this.store.getState().setRegistration('unconfigured');
  }

  async answer(id: string): Promise<void> {
    const call = this.calls.get(id);
    if (!call || !(call.session instanceof Invitation) || call.session.state !== SessionState.Initial) return;
    this.store.getState().updateCall(id, { state: 'connecting' });
    try {
      await call.session.accept({ sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } } });
    } catch (e) {
      const problem = microphoneProblem(e);
      if (problem) this.store.getState().setMicrophone(problem);
      call.endedByUs = 'failed';
      // SIP.js already answered the caller with an error; make sure the call ends on our side too.
      if ((call.session.state as SessionState) !== SessionState.Terminated) await call.session.reject().catch(() => undefined);
    }
  }

  async reject(id: string): Promise<void> {
    const call = this.calls.get(id);
    if (!call || !(call.session instanceof Invitation) || call.session.state !== SessionState.Initial) return;
    call.endedByUs = 'rejected';
    await call.session.reject({ statusCode: 486 });
  }

  async hangup(id: string): Promise<void> {
    const call = this.calls.get(id);
    if (!call) return;
    const s = call.session;
    call.endedByUs ??= 'hangup_local';
    if (s.state === SessionState.Established) await s.bye();
    else if (s instanceof Invitation && s.state === SessionState.Initial) {
      call.endedByUs = 'rejected';
      await s.reject({ statusCode: 486 });
    }
  }

  private onInvite(inv: Invitation): void {
    const inviteAt = this.lastInviteRx ?? performance.now();
    this.lastInviteRx = undefined;
    const remote = inv.remoteIdentity;
    const who = callerIdentity({
      header: (name) => inv.request.getHeader(name),
      fromUser: remote.uri.user,
      fromDisplayName: remote.displayName,
    });
    const id = inv.id;
    const lookup = this.hooks.onIncoming?.(id, who.number);
    const call: LiveCall = { session: inv, answered: false };
    this.calls.set(id, call);
    let shown = false;
    const show = () => {
      if (shown) return;
      shown = true;
      this.store.getState().addCall({
        id,
        direction: 'inbound',
        number: who.number,
        displayName: who.displayName,
        state: 'ringing',
        inviteAt,
        startedAt: Date.now(),
      });
    };
    if (lookup) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      void Promise.race([lookup.catch(() => undefined), new Promise((r) => (timer = setTimeout(r, POP_WAIT_MS)))]).then(() => {
        clearTimeout(timer);
        show();
      });
    } else show();
    inv.stateChange.addListener((st) => {
      show();
      if (st === SessionState.Established) {
        call.answered = true;
        const pc = (inv.sessionDescriptionHandler as Web.SessionDescriptionHandler | undefined)?.peerConnection;
        if (pc) call.detachAudio = attachRemoteAudio(pc);
        this.store.getState().setMicrophone('ok');
        this.store.getState().updateCall(id, { state: 'active', answeredAt: Date.now() });
      } else if (st === SessionState.Terminated) {
        const reason: EndReason = call.answered
          ? call.endedByUs === 'hangup_local'
            ? 'hangup_local'
            : 'hangup_remote'
          : (call.endedByUs ?? 'missed');
        call.detachAudio?.();
        this.calls.delete(id);
        this.store.getState().updateCall(id, { state: 'ended', endedAt: Date.now(), endReason: reason });
        this.hooks.onEnded?.(id, reason);
      }
    });
  }

  private async checkMicrophone(): Promise<void> {
    try {
      if (!(await microphonePresent())) this.store.getState().setMicrophone('no_microphone');
    } catch {
      /* enumerateDevices unavailable: we learn at answer time */
    }
  }

  /** Note when an INVITE's bytes arrive, so the pop latency is measured from the wire, not from SIP.js. */
  private tapTransport(ua: UserAgent): void {
    const transport = ua.transport;
    const deliver = transport.onMessage;
    transport.onMessage = (message: string) => {
      if (message.startsWith('INVITE ')) this.lastInviteRx = performance.now();
      deliver?.(message);
    };
  }
}
