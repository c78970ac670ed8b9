// The softphone: SIP.js UserAgent + Registerer behind a small call model. It writes snapshots to the
// phone store and never lets a SIP.js object out; views call its methods.
//
// Calls: answer / reject / hang up, hold / resume (re-INVITE; tracks follow so audio is right both ways
// after resume), mute, DTMF (RFC 4733 or INFO), outbound calls, call waiting (answering holds the other
// call), blind transfer (REFER) and attended transfer (consult on a second line, then REFER with
// Replaces, or cancel). Every call has an interaction id (a ULID, also its id here); transfers and
// consults carry it in X-Lianluo-Context (context-header.ts).
//
// Surviving the real world (research: anchors-desktops.md (c) 1, 5): a lost WebSocket, a PBX restart, a
// network change or sleep lead to re-registration with backoff and jitter (backoff.ts); an OPTIONS
// heartbeat finds sockets that died silently; calls still being set up when the signalling dies are
// ended (no ghost calls); established calls keep their media, are refreshed with a re-INVITE once the
// signalling is back (so the far end can reach us again; with ICE restart after a network change), and
// a hang-up while disconnected sends its BYE when the signalling recovers. A call whose media stopped
// arriving for MEDIA_TIMEOUT_MS (not on hold) is ended as lost.
import { Invitation, Inviter, Registerer, RegistererState, SessionState, SIPExtension, UserAgent, Web, type Session, type URI } from 'sip.js';
import { ulid } from 'ulid';
import type { DtmfMode, SipAccount } from '../../shared/domain/settings';
import type { EndReason, PhoneProblem, PhoneStore } from '../stores/phone-store';
import { Backoff } from './backoff';
import { CONTEXT_HEADER, formatContext, parseContext, type TransferContext } from './context-header';
import { peekInviteNumber } from './invite-peek';
import type { DialTarget } from './dial';
import { callerIdentity } from './identity';
import { attachRemoteAudio, DEFAULT_ROUTING, microphonePresent, microphoneProblem, replaceMicrophone, setTracks, type MediaRouting, type RemoteAudio } from './media';
import { qualityFrom, readStats, type RawStats } from './quality';
import { afterNextPaint } from '../lib/after-paint';

export interface PhoneHooks {
  /**
   * Called synchronously when an INVITE arrives, before the UI updates: the screen pop starts here. When it
   * returns a promise (the lookup), the ringing call is shown once it settles or after POP_WAIT_MS, so the
   * agent sees the call and the caller's card in the same frame instead of a "looking up" flash.
   * `number` is the customer's: the transferred caller's number when the call carries a context.
   */
  onIncoming?(callId: string, number: string, context?: TransferContext): Promise<unknown> | void;
  /**
   * An initial INVITE's bytes just arrived and this call may ring: the number it will pop, read before
   * SIP.js parses the message (invite-peek.ts), so its lookup can start at once. Best effort: onIncoming
   * follows with the number SIP.js yields.
   */
  prefetch?(number: string): void;
  /** An outbound call was placed (pop the customer dialled; `customerId` when dialled from a record). */
  onOutgoing?(callId: string, number: string, customerId?: string): void;
  onEnded?(callId: string, reason: EndReason): void;
  /** May a new call ring now? false: it is declined with 486 Busy Here (agent Not Ready, policy 'busy'). */
  admit?(): boolean;
  /** The customer on screen for a call, carried in the context of a transfer. */
  customerFor?(callId: string): string | undefined;
}

export interface PhoneOptions {
  media?: MediaRouting;
  dtmfMode?: DtmfMode;
}

interface LiveCall {
  id: string;
  session: Session;
  direction: 'inbound' | 'outbound';
  answered: boolean;
  endedByUs?: EndReason;
  endDetail?: string;
  audio?: RemoteAudio;
  held: boolean;
  muted: boolean;
  remoteHold: boolean;
  consultFor?: string;
  stats?: RawStats;
  /** Epoch ms when media last arrived (or the call was answered). */
  mediaAt: number;
  ended?: boolean;
  dtmfWired?: boolean;
  iceRestartAt?: number;
}

/** Longest the ringing call waits for its card before it is shown anyway. */
export const POP_WAIT_MS = 50;

export const STATS_INTERVAL_MS = 2000;
export const HEARTBEAT_INTERVAL_MS = 30_000;
export const HEARTBEAT_TIMEOUT_MS = 5000;
/** No audio packets for this long on a call that is not on hold: the call is gone. */
export const MEDIA_TIMEOUT_MS = 30_000;
const DTMF_DIGITS = /^[0-9A-D*#]{1,32}$/i;
const DTMF_TONE_MS = 100;
const DTMF_GAP_MS = 70;
const MAX_DTMF_SHOWN = 32;

export class ReinviteError extends Error {
  constructor(readonly statusCode: number, reason: string) {
    super(`re-INVITE refused: ${statusCode} ${reason}`.trim());
  }
}

interface PreparedAnswer {
  sdh: Web.SessionDescriptionHandler;
  /** The microphone constraint it was opened with: a microphone chosen meanwhile means a fresh handler. */
  mic: string;
  state: 'preparing' | 'ready' | 'failed' | 'used' | 'closed';
}

export class Phone {
  private ua: UserAgent | undefined;
  private registerer: Registerer | undefined;
  private account: SipAccount | undefined;
  private readonly calls = new Map<string, LiveCall>();
  /**
   * The answer to a ringing call is prepared while it rings (microphone opened, remote offer applied, local
   * answer created, ICE gathered), so answering only sends it: that work was ~15 ms of the answer path
   * (measured by headset.hook_to_answer_ms_p95). Keyed by the SIP.js session; handed to SIP.js by the
   * session description handler factory at accept, closed when the call ends unanswered.
   */
  private readonly preparedAnswers = new WeakMap<Session, PreparedAnswer>();
  private readonly plainSdhFactory = Web.defaultSessionDescriptionHandlerFactory();
  /** Calls hung up while the signalling was down: their BYE goes out when it is back. */
  private readonly byeLater = new Set<Session>();
  private lastInviteRx: number | undefined;
  private readonly backoff = new Backoff();
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private statsTimer: ReturnType<typeof setInterval> | undefined;
  private attempting = false;
  private forcing = false;
  private wasDown = false;
  private networkChanged = false;
  private networkOffline = false;
  private generation = 0;
  private media: MediaRouting;
  private dtmfMode: DtmfMode;

  constructor(
    private readonly store: PhoneStore,
    private readonly hooks: PhoneHooks = {},
    options: PhoneOptions = {},
  ) {
    this.media = options.media ?? DEFAULT_ROUTING;
    this.dtmfMode = options.dtmfMode ?? 'rfc4733';
  }

  setDtmfMode(mode: DtmfMode): void {
    this.dtmfMode = mode;
  }

  // ------------------------------------------------------------------ registration

  /** Connect and register; replaces any previous account. Problems end up in the store, never thrown. */
  async start(account: SipAccount, password: string): Promise<void> {
    await this.stop();
    const gen = ++this.generation;
    this.account = account;
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
      sessionDescriptionHandlerFactory: (session, options) => this.preparedAnswerFor(session) ?? this.plainSdhFactory(session, options),
      sessionDescriptionHandlerFactoryOptions: {
        peerConnectionConfiguration: { iceServers: [] },
        iceGatheringTimeout: 1000,
      },
      // Attended transfer: the target of a consult accepts the INVITE that replaces it.
      sipExtensionReplaces: SIPExtension.Supported,
      userAgentString: 'Lianluo',
      logLevel: 'error',
      delegate: {
        onInvite: (inv) => this.onInvite(inv),
        onDisconnect: (error) => {
          if (gen !== this.generation || this.forcing) return;
          this.lost(this.networkOffline ? 'network_offline' : 'connection_lost', error?.message);
        },
      },
    });
    this.ua = ua;
    this.tapTransport(ua);
    this.registerer = new Registerer(ua, { expires: 300 });
    this.registerer.stateChange.addListener((st) => {
      if (gen !== this.generation) return;
      // A refresh that failed (timeout, transport error) while we thought we were registered.
      if (st === RegistererState.Unregistered && this.store.getState().registration === 'registered') this.lost('connection_lost', 'registration refresh failed');
    });
    this.statsTimer = setInterval(() => void this.sampleCalls(), STATS_INTERVAL_MS);
    s.setRegistration('connecting');
    try {
      await ua.start();
    } catch (e) {
      if (gen !== this.generation) return;
      this.wasDown = true;
      this.store.getState().setRegistration('failed', 'server_unreachable', e instanceof Error ? e.message : String(e));
      this.scheduleRetry();
      return;
    }
    if (gen !== this.generation) return;
    this.register();
  }

  private register(): void {
    const gen = this.generation;
    const registerer = this.registerer;
    if (!registerer) return;
    registerer
      .register({
        requestDelegate: {
          onAccept: () => gen === this.generation && this.registered(),
          onReject: (res) => {
            if (gen !== this.generation) return;
            const code = res.message.statusCode ?? 0;
            const detail = `${code} ${res.message.reasonPhrase ?? ''}`.trim();
            if (code === 401 || code === 403 || code === 407) this.store.getState().setRegistration('failed', 'wrong_password', detail);
            else if (code >= 500 || code === 408) {
              this.store.getState().setRegistration('unregistered', 'rejected', detail);
              this.scheduleRetry();
            } else this.store.getState().setRegistration('failed', 'rejected', detail);
          },
        },
      })
      .catch((e: unknown) => {
        if (gen !== this.generation) return;
        this.store.getState().setRegistration('unregistered', 'connection_lost', String(e));
        this.scheduleRetry();
      });
  }

  private registered(): void {
    this.backoff.reset();
    clearTimeout(this.retryTimer);
    this.store.getState().setRetryAt(undefined);
    this.store.getState().seen(Date.now(), true);
    this.store.getState().setRegistration('registered');
    this.startHeartbeat();
    if (this.wasDown) {
      this.wasDown = false;
      const iceRestart = this.networkChanged;
      this.networkChanged = false;
      void this.afterRecovery(iceRestart);
    }
  }

  /** The signalling is gone: say so, end what cannot survive, and try again. */
  private lost(problem: PhoneProblem, detail?: string): void {
    this.wasDown = true;
    this.stopHeartbeat();
    const reg = this.store.getState().registration;
    if (reg !== 'failed' || this.store.getState().problem !== 'wrong_password') this.store.getState().setRegistration('unregistered', problem, detail);
    this.dropUnestablished();
    this.scheduleRetry();
  }

  private scheduleRetry(delay = this.backoff.next(Date.now())): void {
    clearTimeout(this.retryTimer);
    const gen = this.generation;
    this.store.getState().setRetryAt(Date.now() + delay);
    this.retryTimer = setTimeout(() => gen === this.generation && void this.attempt(), delay);
  }

  private async attempt(): Promise<void> {
    const ua = this.ua;
    if (!ua || this.attempting) return;
    clearTimeout(this.retryTimer);
    this.store.getState().setRetryAt(undefined);
    const gen = this.generation;
    this.attempting = true;
    try {
      if (!ua.isConnected()) await ua.reconnect();
      if (gen === this.generation) this.register();
    } catch (e) {
      if (gen !== this.generation) return;
      const st = this.store.getState();
      st.setRegistration(st.registration === 'failed' ? 'failed' : 'unregistered', st.problem ?? 'connection_lost', e instanceof Error ? e.message : String(e));
      this.scheduleRetry();
    } finally {
      this.attempting = false;
    }
  }

  /** Close the socket (it may be a zombie after sleep or a network change) and connect again at once. */
  private async forceReconnect(problem: PhoneProblem): Promise<void> {
    const ua = this.ua;
    if (!ua) return;
    const gen = this.generation;
    this.forcing = true;
    try {
      this.lost(problem);
      clearTimeout(this.retryTimer);
      this.backoff.reset();
      await ua.transport.disconnect().catch(() => undefined);
    } finally {
      this.forcing = false;
    }
    if (gen === this.generation) await this.attempt();
  }

  /**
   * Something outside the phone happened: the network came back or went away, the computer woke up,
   * the screen was unlocked, the page became visible, or the agent pressed "Reconnect now".
   */
  async nudge(reason: 'online' | 'offline' | 'resume' | 'unlock' | 'visible' | 'manual'): Promise<void> {
    if (!this.ua) return;
    const registered = this.store.getState().registration === 'registered';
    switch (reason) {
      case 'offline':
        this.networkOffline = true;
        if (!registered) this.store.getState().setRegistration('unregistered', 'network_offline');
        else void this.heartbeat();
        return;
      case 'online':
        this.networkOffline = false;
        this.networkChanged = true;
        if (registered) void this.heartbeat();
        else {
          this.backoff.reset();
          await this.attempt();
        }
        return;
      case 'resume':
        // After sleep the socket may look open and be dead: never trust it.
        this.networkChanged = true;
        await this.forceReconnect('suspended');
        return;
      case 'unlock':
      case 'visible':
        if (registered) void this.heartbeat();
        else if (!this.attempting) await this.attempt();
        return;
      case 'manual':
        this.backoff.reset();
        await this.attempt();
        return;
    }
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), HEARTBEAT_INTERVAL_MS);
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  /** OPTIONS to the registrar's domain: any answer within HEARTBEAT_TIMEOUT_MS proves the socket is alive. */
  private async heartbeat(): Promise<boolean> {
    const ua = this.ua;
    if (!ua || this.store.getState().registration !== 'registered') return true;
    const gen = this.generation;
    const target = UserAgent.makeURI(`sip:${ua.configuration.uri.host}`);
    if (!target) return true;
    const alive = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), HEARTBEAT_TIMEOUT_MS);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      try {
        const core = ua.userAgentCore;
        core.request(core.makeOutgoingRequestMessage('OPTIONS', target, ua.configuration.uri, target, {}), { onAccept: done, onReject: done, onRedirect: done });
      } catch {
        clearTimeout(timer);
        resolve(false);
      }
    });
    if (gen !== this.generation) return alive;
    if (!alive) await this.forceReconnect('connection_lost');
    else {
      this.store.getState().seen(Date.now());
      this.restartFailedIce();
    }
    return alive;
  }

  /** Unregister and disconnect. Live calls are ended first. */
  async stop(): Promise<void> {
    this.generation++;
    clearTimeout(this.retryTimer);
    clearInterval(this.statsTimer);
    this.stopHeartbeat();
    this.store.getState().setRetryAt(undefined);
    for (const id of [...this.calls.keys()]) await this.hangup(id).catch(() => undefined);
    this.byeLater.clear();
    const ua = this.ua;
    const registerer = this.registerer;
    this.ua = undefined;
    this.registerer = undefined;
    this.wasDown = false;
    if (registerer && registerer.state === RegistererState.Registered) await registerer.unregister().catch(() => undefined);
    if (ua) await ua.stop().catch(() => undefined);
    this.store.getState().setRegistration('unconfigured');
  }

  // ------------------------------------------------------------------ after an outage

  /** Calls being set up cannot finish without signalling: end them now rather than leave ghosts. */
  private dropUnestablished(): void {
    for (const call of this.calls.values()) {
      const st = call.session.state;
      if (st !== SessionState.Initial && st !== SessionState.Establishing) continue;
      call.endedByUs = 'connection_lost';
      const s = call.session;
      void Promise.resolve()
        .then(() => s.dispose())
        .catch(() => undefined);
      this.finish(call, 'connection_lost');
    }
  }

  private async afterRecovery(iceRestart: boolean): Promise<void> {
    for (const s of [...this.byeLater]) {
      this.byeLater.delete(s);
      if (s.state === SessionState.Established) await s.bye().catch(() => undefined);
    }
    for (const call of [...this.calls.values()]) {
      if (call.session.state !== SessionState.Established) continue;
      // The re-INVITE carries our Contact through the new connection, so the far end can reach us again.
      try {
        await this.reinvite(call, { hold: call.held, iceRestart });
        call.audio?.refresh();
      } catch (e) {
        if (e instanceof ReinviteError && e.statusCode === 481) {
          // The far end ended the call while we could not hear it.
          call.endedByUs = 'hangup_remote';
          await call.session.bye().catch(() => undefined);
          this.finish(call, 'hangup_remote');
        }
        // Anything else: keep the call; its media may still flow, and the media timeout ends it if not.
      }
    }
  }

  private restartFailedIce(): void {
    for (const call of this.calls.values()) {
      const pc = this.pc(call);
      if (!pc || call.session.state !== SessionState.Established) continue;
      if (pc.iceConnectionState !== 'failed' && pc.iceConnectionState !== 'disconnected') continue;
      if (call.iceRestartAt && Date.now() - call.iceRestartAt < 10_000) continue;
      call.iceRestartAt = Date.now();
      void this.reinvite(call, { hold: call.held, iceRestart: true }).catch(() => undefined);
    }
  }

  // ------------------------------------------------------------------ incoming calls

  private onInvite(inv: Invitation): void {
    const inviteAt = this.lastInviteRx ?? performance.now();
    this.lastInviteRx = undefined;
    const remote = inv.remoteIdentity;
    const who = callerIdentity({
      header: (name) => inv.request.getHeader(name),
      fromUser: remote.uri.user,
      fromDisplayName: remote.displayName,
    });
    // Attended transfer, target side: the caller's INVITE replaces our consult call. Same line, same card.
    const replacee = inv.replacee;
    const replaced = replacee ? [...this.calls.values()].find((c) => c.session === replacee) : undefined;
    if (replaced) {
      this.takeOver(replaced, inv, who);
      return;
    }
    const context = parseContext(inv.request.getHeader(CONTEXT_HEADER));
    if (this.hooks.admit && !this.hooks.admit()) {
      void inv.reject({ statusCode: 486 }).catch(() => undefined);
      return;
    }
    const id = ulid();
    const popNumber = context?.number || who.number;
    const lookup = this.hooks.onIncoming?.(id, popNumber, context);
    const call: LiveCall = { id, session: inv, direction: 'inbound', answered: false, held: false, muted: false, remoteHold: false, mediaAt: Date.now() };
    this.calls.set(id, call);
    let shown = false;
    const show = () => {
      if (shown || call.ended) return;
      shown = true;
      this.store.getState().addCall({
        id,
        direction: 'inbound',
        number: who.number,
        displayName: who.displayName,
        state: 'ringing',
        inviteAt,
        startedAt: Date.now(),
        muted: false,
        sipCallId: inv.request.callId,
        ...(context ? { context } : {}),
      });
      // Prepare the answer once the ringing call (and its card) has painted: getUserMedia, the offer and
      // ICE gathering would otherwise share the renderer's main thread with the screen pop. A press before
      // that just takes the plain path.
      afterNextPaint(() => {
        if (!call.ended && !call.answered && inv.state === SessionState.Initial) this.prepareAnswer(inv);
      });
    };
    if (lookup) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      void Promise.race([lookup.catch(() => undefined), new Promise((r) => (timer = setTimeout(r, POP_WAIT_MS)))]).then(() => {
        clearTimeout(timer);
        show();
      });
    } else show();
    this.watch(call, inv, show);
  }

  /** Prepare the answer while the call rings (see preparedAnswers). Never throws; a failure just means no head start. */
  private prepareAnswer(inv: Invitation): void {
    const ua = this.ua;
    const sdp = inv.request.body;
    const type = inv.request.getHeader('Content-Type') ?? '';
    if (!ua || !sdp || !/^application\/sdp\b/i.test(type.trim())) return;
    try {
      const sdh = this.plainSdhFactory(inv, ua.configuration.sessionDescriptionHandlerFactoryOptions) as Web.SessionDescriptionHandler;
      const mic = this.media.microphone();
      const options = { constraints: { audio: mic, video: false } };
      const prepared: PreparedAnswer = { sdh, mic: JSON.stringify(mic), state: 'preparing' };
      const setDescription = sdh.setDescription.bind(sdh);
      const getDescription = sdh.getDescription.bind(sdh);
      const answer = setDescription(sdp, options).then(() => getDescription(options));
      answer.then(
        () => prepared.state === 'preparing' && (prepared.state = 'ready'),
        () => prepared.state === 'preparing' && (prepared.state = 'failed'),
      );
      // SIP.js will set the same offer and ask for an answer at accept: both are already done (or under way).
      let untouched = true;
      sdh.setDescription = (body, o, m) => (untouched && body === sdp && !m?.length ? answer.then(() => undefined) : setDescription(body, o, m));
      sdh.getDescription = (o, m) => {
        if (untouched && !m?.length) {
          untouched = false;
          return answer;
        }
        return getDescription(o, m);
      };
      this.preparedAnswers.set(inv, prepared);
    } catch {
      /* no head start for this call */
    }
  }

  /** The prepared handler for this session, if it is usable (same microphone, not failed); else it is closed. */
  private preparedAnswerFor(session: Session): Web.SessionDescriptionHandler | undefined {
    const p = this.preparedAnswers.get(session);
    if (!p || p.state === 'used' || p.state === 'closed') return undefined;
    const usable = p.state !== 'failed' && p.mic === JSON.stringify(this.media.microphone());
    if (!usable) {
      this.releasePreparedAnswer(session);
      return undefined;
    }
    p.state = 'used';
    return p.sdh;
  }

  private releasePreparedAnswer(session: Session): void {
    const p = this.preparedAnswers.get(session);
    if (!p || p.state === 'used' || p.state === 'closed') return;
    p.state = 'closed';
    p.sdh.close();
  }

  private takeOver(call: LiveCall, inv: Invitation, who: { number: string; displayName: string }): void {
    const old = call.session;
    call.audio?.detach();
    call.audio = undefined;
    call.session = inv;
    call.answered = false;
    this.watch(call, inv);
    this.store.getState().updateCall(call.id, { number: who.number || this.store.getState().calls[call.id]?.number || '', displayName: who.displayName });
    void inv
      .accept({ sessionDescriptionHandlerOptions: { constraints: { audio: this.media.microphone(), video: false } } })
      .catch(async () => {
        // Could not take the caller over: keep talking to the first agent if that call still stands.
        call.session = old;
        if (old.state === SessionState.Established) {
          this.onEstablished(call);
        } else this.finish(call, 'failed');
      });
  }

  /** Follow a session's life into the store. `show` makes sure a ringing call was displayed first. */
  private watch(call: LiveCall, session: Session, show?: () => void): void {
    session.stateChange.addListener((st) => {
      if (call.session !== session) return; // replaced (attended transfer): the new session speaks for the call
      show?.();
      if (st === SessionState.Established) this.onEstablished(call);
      else if (st === SessionState.Terminated) this.finish(call);
    });
    session.delegate = {
      // A ringing call cancelled because another device of this agent answered it (a forked call): the
      // interaction record says "answered elsewhere", not "missed" (RFC 3326: Reason: SIP;cause=200).
      onCancel: (cancel) => {
        if (call.session !== session) return;
        if (/^\s*SIP\s*;\s*cause\s*=\s*200\b/i.test(cancel.request.getHeader('Reason') ?? '')) this.store.getState().updateCall(call.id, { elsewhere: true });
      },
      // The far end changed the session (hold, resume, ICE restart): follow its direction, keep audio flowing.
      onInvite: (request) => {
        if (call.session !== session) return;
        const sdp = typeof request.body === 'string' ? request.body : '';
        const remoteHold = /a=(sendonly|inactive)\r?\n/.test(sdp) || /c=IN IP4 0\.0\.0\.0/.test(sdp);
        call.remoteHold = remoteHold;
        call.mediaAt = Date.now();
        call.audio?.refresh();
        setTracks(this.pc(call), { send: !call.muted && !call.held, receive: !call.held });
        this.store.getState().updateCall(call.id, { remoteHold });
      },
      // Early media on outbound calls (ringback, announcements from the PBX or the carrier).
      onSessionDescriptionHandler: (sdh) => {
        if (call.session !== session || call.audio) return;
        const pc = (sdh as Web.SessionDescriptionHandler).peerConnection;
        if (pc) call.audio = attachRemoteAudio(pc, this.media.speaker());
      },
    };
  }

  private onEstablished(call: LiveCall): void {
    call.answered = true;
    call.mediaAt = Date.now();
    const pc = this.pc(call);
    if (pc) {
      if (!call.audio) call.audio = attachRemoteAudio(pc, this.media.speaker());
      call.audio.refresh();
      setTracks(pc, { send: !call.muted && !call.held, receive: !call.held });
      pc.addEventListener('iceconnectionstatechange', () => {
        if (pc.iceConnectionState === 'failed' && this.store.getState().registration === 'registered') this.restartFailedIce();
      });
    }
    this.store.getState().setMicrophone('ok');
    const snap = this.store.getState().calls[call.id];
    this.store.getState().updateCall(call.id, {
      state: call.held ? 'held' : 'active',
      answeredAt: snap?.answeredAt ?? Date.now(),
      progress: undefined,
    });
  }

  /** The call is over on our side (Terminated, or ended locally). Idempotent. */
  private finish(call: LiveCall, forced?: EndReason): void {
    if (call.ended) return;
    call.ended = true;
    this.releasePreparedAnswer(call.session);
    const reason: EndReason =
      forced ??
      (call.answered
        ? call.endedByUs === 'hangup_local' || call.endedByUs === 'transferred' || call.endedByUs === 'connection_lost'
          ? call.endedByUs
          : 'hangup_remote'
        : (call.endedByUs ?? (call.direction === 'inbound' ? 'missed' : 'unanswered')));
    call.audio?.detach();
    call.audio = undefined;
    this.calls.delete(call.id);
    // A consult whose original call is gone becomes an ordinary call.
    for (const other of this.calls.values()) {
      if (other.consultFor === call.id) {
        other.consultFor = undefined;
        this.store.getState().updateCall(other.id, { consultFor: undefined });
      }
    }
    this.store.getState().updateCall(call.id, {
      state: 'ended',
      endedAt: Date.now(),
      endReason: reason,
      pending: undefined,
      ...(call.endDetail ? { endDetail: call.endDetail } : {}),
    });
    this.hooks.onEnded?.(call.id, reason);
  }

  // ------------------------------------------------------------------ call actions

  async answer(id: string): Promise<void> {
    const call = this.calls.get(id);
    if (!call || !(call.session instanceof Invitation) || call.session.state !== SessionState.Initial) return;
    await this.holdOthers(id);
    if (call.session.state !== SessionState.Initial) return; // the caller gave up meanwhile
    // Accept first: the 'connecting' re-render must not delay the 200 OK.
    const accepted = call.session.accept({ sessionDescriptionHandlerOptions: { constraints: { audio: this.media.microphone(), video: false } } });
    this.store.getState().updateCall(id, { state: 'connecting' });
    try {
      await accepted;
    } catch (e) {
      const problem = microphoneProblem(e);
      if (problem) this.store.getState().setMicrophone(problem);
      call.endedByUs = 'failed';
      call.endDetail = e instanceof Error ? e.message : String(e);
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
    if (s instanceof Invitation && s.state === SessionState.Initial) {
      call.endedByUs = 'rejected';
      await s.reject({ statusCode: 486 });
    } else if (s instanceof Inviter && (s.state === SessionState.Initial || s.state === SessionState.Establishing)) {
      call.endedByUs = 'cancelled';
      if (this.ua?.isConnected()) await s.cancel().catch(() => s.dispose());
      else {
        await s.dispose().catch(() => undefined);
        this.finish(call, 'cancelled');
      }
    } else if (s.state === SessionState.Established) {
      call.endedByUs ??= 'hangup_local';
      if (this.ua?.isConnected() && this.store.getState().registration === 'registered') {
        await s.bye();
      } else {
        // No signalling now: silence the call at once and send the BYE when the signalling is back.
        setTracks(this.pc(call), { send: false, receive: false });
        (s.sessionDescriptionHandler as Web.SessionDescriptionHandler | undefined)?.close();
        this.byeLater.add(s);
        this.finish(call, call.endedByUs);
      }
    }
  }

  setMuted(id: string, muted: boolean): void {
    const call = this.calls.get(id);
    if (!call) return;
    call.muted = muted;
    setTracks(this.pc(call), { send: !muted && !call.held });
    this.store.getState().updateCall(id, { muted });
  }

  async hold(id: string): Promise<void> {
    const call = this.calls.get(id);
    if (!call || call.held || call.session.state !== SessionState.Established) return;
    // Local hold first (instant, and it stands even if the far end refuses the re-INVITE).
    call.held = true;
    setTracks(this.pc(call), { send: false, receive: false });
    this.store.getState().updateCall(id, { state: 'held', pending: 'hold' });
    try {
      await this.reinvite(call, { hold: true });
    } catch {
      /* held locally: nothing is sent or played; the far end simply hears silence */
    } finally {
      this.store.getState().updateCall(id, { pending: undefined });
    }
  }

  async resume(id: string): Promise<void> {
    const call = this.calls.get(id);
    if (!call || !call.held || call.session.state !== SessionState.Established) return;
    await this.holdOthers(id);
    this.store.getState().updateCall(id, { pending: 'resume' });
    try {
      await this.reinvite(call, { hold: false });
    } catch (e) {
      this.store.getState().updateCall(id, { pending: undefined });
      throw e;
    }
    call.held = false;
    call.mediaAt = Date.now();
    // After the re-INVITE: the transceiver is sendrecv again; turn both directions back on and make sure
    // the element plays the current receiver track (the one-way-audio-after-hold trap).
    setTracks(this.pc(call), { send: !call.muted, receive: true });
    call.audio?.refresh();
    this.store.getState().updateCall(id, { state: 'active', pending: undefined });
  }

  /** Put every other engaged call on hold (call waiting, swapping lines); stop dialling another one. */
  private async holdOthers(exceptId: string | undefined): Promise<void> {
    for (const other of [...this.calls.values()]) {
      if (other.id === exceptId) continue;
      const st = other.session.state;
      if (st === SessionState.Established && !other.held) await this.hold(other.id);
      else if (other.session instanceof Inviter && (st === SessionState.Initial || st === SessionState.Establishing)) await this.hangup(other.id);
    }
  }

  /** Send a re-INVITE; resolves when accepted. 491 (glare) is retried once after a random wait (RFC 3261 §14.1). */
  private async reinvite(call: LiveCall, o: { hold: boolean; iceRestart?: boolean }, retried = false): Promise<void> {
    const session = call.session;
    const attempt = () =>
      new Promise<void>((resolve, reject) => {
        session
          .invite({
            sessionDescriptionHandlerOptions: { hold: o.hold, ...(o.iceRestart ? { offerOptions: { iceRestart: true } } : {}) } as Web.SessionDescriptionHandlerOptions,
            requestDelegate: {
              onAccept: () => resolve(),
              onReject: (r) => reject(new ReinviteError(r.message.statusCode ?? 0, r.message.reasonPhrase ?? '')),
            },
          })
          .catch(reject);
      });
    try {
      await attempt();
    } catch (e) {
      const glare = (e instanceof ReinviteError && e.statusCode === 491) || (e instanceof Error && e.name === 'RequestPendingError');
      if (!glare || retried || session.state !== SessionState.Established) throw e;
      await new Promise((r) => setTimeout(r, 200 + Math.random() * 1800));
      await this.reinvite(call, o, true);
    }
  }

  async sendDtmf(id: string, digits: string): Promise<void> {
    const call = this.calls.get(id);
    if (!call || call.session.state !== SessionState.Established) return;
    if (!DTMF_DIGITS.test(digits)) throw new Error(`not DTMF digits: ${JSON.stringify(digits.slice(0, 40))}`);
    const tones = digits.toUpperCase();
    const pc = this.pc(call);
    const sender = pc?.getSenders().find((s) => s.track?.kind === 'audio') ?? pc?.getSenders()[0];
    const dtmf = sender?.dtmf;
    if (this.dtmfMode === 'rfc4733' && dtmf?.canInsertDTMF) {
      if (!call.dtmfWired) {
        call.dtmfWired = true;
        // Shown once the browser actually plays each tone into the RTP stream.
        dtmf.addEventListener('tonechange', (e) => {
          if ((e as RTCDTMFToneChangeEvent).tone) this.noteDtmf(call.id, (e as RTCDTMFToneChangeEvent).tone);
        });
      }
      dtmf.insertDTMF(dtmf.toneBuffer + tones, DTMF_TONE_MS, DTMF_GAP_MS);
      return;
    }
    // SIP INFO (application/dtmf-relay), one request per digit, in order.
    for (const d of tones) {
      await new Promise<void>((resolve, reject) => {
        call.session
          .info({
            requestOptions: { body: { contentDisposition: 'render', contentType: 'application/dtmf-relay', content: `Signal=${d}\r\nDuration=160` } },
            requestDelegate: { onAccept: () => resolve(), onReject: (r) => reject(new Error(`INFO refused: ${r.message.statusCode} ${r.message.reasonPhrase}`)) },
          })
          .catch(reject);
      });
      this.noteDtmf(call.id, d);
    }
  }

  private noteDtmf(id: string, tone: string): void {
    const cur = this.store.getState().calls[id]?.dtmf ?? '';
    this.store.getState().updateCall(id, { dtmf: (cur + tone).slice(-MAX_DTMF_SHOWN) });
  }

  // ------------------------------------------------------------------ outbound calls and transfers

  /** Place a call. Any call we are talking on is put on hold first. Returns the new call's id. */
  async dial(target: DialTarget, o: { customerId?: string } = {}): Promise<string> {
    if (!this.ua || this.store.getState().registration !== 'registered') throw new Error('the phone is not registered');
    await this.holdOthers(undefined);
    return this.placeCall(target, o);
  }

  private placeCall(target: DialTarget, o: { customerId?: string; consultFor?: string; extraHeaders?: string[] }): string {
    const ua = this.ua;
    if (!ua) throw new Error('the phone is not started');
    const uri = UserAgent.makeURI(target.uri);
    if (!uri) throw new Error(`cannot call ${target.uri}`);
    const id = ulid();
    const inviter = new Inviter(ua, uri, {
      extraHeaders: o.extraHeaders ?? [],
      earlyMedia: true,
      sessionDescriptionHandlerOptions: { constraints: { audio: this.media.microphone(), video: false } },
    });
    const call: LiveCall = { id, session: inviter, direction: 'outbound', answered: false, held: false, muted: false, remoteHold: false, mediaAt: Date.now(), ...(o.consultFor ? { consultFor: o.consultFor } : {}) };
    this.calls.set(id, call);
    this.store.getState().addCall({
      id,
      direction: 'outbound',
      number: target.number,
      displayName: '',
      state: 'dialing',
      progress: 'trying',
      inviteAt: performance.now(),
      startedAt: Date.now(),
      muted: false,
      sipCallId: inviter.request.callId,
      ...(o.consultFor ? { consultFor: o.consultFor } : {}),
    });
    this.hooks.onOutgoing?.(id, target.number, o.customerId);
    this.watch(call, inviter);
    inviter
      .invite({
        requestDelegate: {
          onProgress: (r) => {
            const code = r.message.statusCode ?? 0;
            if (code === 180 || code === 183) this.store.getState().updateCall(id, { progress: 'ringing' });
          },
          onReject: (r) => {
            call.endedByUs ??= 'unanswered';
            call.endDetail = `${r.message.statusCode ?? ''} ${r.message.reasonPhrase ?? ''}`.trim();
          },
        },
      })
      .catch((e: unknown) => {
        const problem = microphoneProblem(e);
        if (problem) this.store.getState().setMicrophone(problem);
        call.endedByUs = 'failed';
        call.endDetail = e instanceof Error ? e.message : String(e);
        if (inviter.state !== SessionState.Terminated) void inviter.dispose().catch(() => undefined);
        this.finish(call, 'failed');
      });
    return id;
  }

  /** The context a transfer or consult of this call carries. */
  private contextOf(callId: string, reason: string | undefined): string {
    const snap = this.store.getState().calls[callId];
    const account = this.account;
    const by = account?.displayName || (account ? (UserAgent.makeURI(account.sipUri)?.user ?? '') : '');
    const customerId = this.hooks.customerFor?.(callId) ?? snap?.context?.customerId;
    return formatContext({
      interactionId: callId,
      number: snap?.context?.number || snap?.number || '',
      ...(customerId ? { customerId } : {}),
      ...(reason ? { reason } : {}),
      ...(by ? { by } : {}),
    });
  }

  /** Blind transfer (REFER). The call ends here once the transferee reports the target ringing or answering (NOTIFY 18x/2xx). */
  async blindTransfer(id: string, target: DialTarget, reason?: string): Promise<void> {
    const call = this.calls.get(id);
    if (!call || call.session.state !== SessionState.Established) return;
    const uri = UserAgent.makeURI(target.uri);
    if (!uri) throw new Error(`cannot transfer to ${target.uri}`);
    const context = this.contextOf(id, reason);
    // Also inside Refer-To, so the transferee copies it into its INVITE to the target (RFC 3515 §2.1).
    uri.setHeader(CONTEXT_HEADER, encodeURIComponent(context));
    // A URI with headers must be written in angle brackets (RFC 3261 §20); SIP.js writes Refer-To from
    // the URI's toString(), so this one URI prints itself bracketed.
    const referTo = Object.create(uri) as URI;
    referTo.toString = () => `<${uri.toString()}>`;
    await this.refer(call, referTo, context, 'blind', target.number);
  }

  /** Attended transfer, step 1: hold the call and call the target on a second line (the consult). */
  async consult(id: string, target: DialTarget, reason?: string): Promise<string | undefined> {
    const call = this.calls.get(id);
    if (!call || call.session.state !== SessionState.Established) return undefined;
    await this.hold(id);
    return this.placeCall(target, { consultFor: id, extraHeaders: [`${CONTEXT_HEADER}: ${this.contextOf(id, reason)}`] });
  }

  /** Attended transfer, step 2: connect the held caller to the consulted party (REFER with Replaces). */
  async completeTransfer(consultId: string): Promise<void> {
    const consult = this.calls.get(consultId);
    const orig = consult?.consultFor ? this.calls.get(consult.consultFor) : undefined;
    if (!consult || !orig || orig.session.state !== SessionState.Established) return;
    const snap = this.store.getState().calls[consultId];
    if (consult.session.state !== SessionState.Established) {
      // Not answered yet: transfer blind to the same target instead (SIP.js cannot REFER to an early dialog).
      const target = (consult.session as Inviter).request.ruri.toString();
      await this.hangup(consultId);
      await this.blindTransfer(orig.id, { uri: target, number: snap?.number ?? '' });
      return;
    }
    await this.refer(orig, consult.session, this.contextOf(orig.id, undefined), 'attended', snap?.number ?? '');
    // The target drops the consult when the caller's INVITE replaces it; if it does not, we do.
    consult.endedByUs = 'transferred';
    setTimeout(() => {
      if (this.calls.get(consultId) === consult && consult.session.state === SessionState.Established) void consult.session.bye().catch(() => undefined);
    }, 5000);
  }

  /** Attended transfer, the other way out: end the consult and go back to the caller. */
  async cancelConsult(consultId: string): Promise<void> {
    const consult = this.calls.get(consultId);
    const origId = consult?.consultFor;
    await this.hangup(consultId);
    if (origId && this.calls.get(origId)?.held) await this.resume(origId);
  }

  private refer(call: LiveCall, target: URI | Session, context: string, kind: 'blind' | 'attended', targetNumber: string): Promise<void> {
    const st = this.store.getState();
    st.updateCall(call.id, { pending: 'transfer', transfer: { kind, target: targetNumber, state: 'trying' } });
    const failed = (detail: string) => {
      if (call.ended) return;
      this.store.getState().updateCall(call.id, { pending: undefined, transfer: { kind, target: targetNumber, state: 'failed', detail } });
    };
    return new Promise<void>((resolve) => {
      let settled = false;
      const settle = () => {
        settled = true;
        clearTimeout(timer);
        resolve();
      };
      // No decisive progress at all: the call is still ours; say so and let the agent decide.
      const timer = setTimeout(() => {
        if (!settled) {
          failed('no progress reported by the transferee');
          settle();
        }
      }, 30_000);
      call.session
        .refer(target, {
          requestOptions: { extraHeaders: [`${CONTEXT_HEADER}: ${context}`] },
          requestDelegate: {
            onReject: (r) => {
              failed(`${r.message.statusCode ?? ''} ${r.message.reasonPhrase ?? ''}`.trim());
              settle();
            },
          },
          onNotify: (n) => {
            void n.accept().catch(() => undefined);
            const m = /^SIP\/2\.0\s+(\d{3})\s*(.*)$/m.exec(n.request.body ?? '');
            const code = m ? Number(m[1]) : 0;
            // Blind: done once the target rings (the transferee owns the call from there; waiting for the
            // answer would keep this agent busy for as long as the target rings). Attended: on 2xx.
            const done = (code >= 200 && code < 300) || (kind === 'blind' && (code === 180 || code === 183));
            if (done) {
              call.endedByUs = 'transferred';
              if (call.session.state === SessionState.Established) void call.session.bye().catch(() => undefined);
              settle();
            } else if (code >= 300) {
              failed(`${code} ${m?.[2] ?? ''}`.trim());
              settle();
            }
          },
        })
        .catch((e: unknown) => {
          failed(e instanceof Error ? e.message : String(e));
          settle();
        });
    });
  }

  // ------------------------------------------------------------------ devices and quality

  /** The chosen microphone changed (the agent chose another, or it was unplugged / plugged back): swap it in every live call. */
  async applyMicrophone(): Promise<void> {
    const constraints = this.media.microphone();
    for (const call of this.calls.values()) {
      const pc = this.pc(call);
      if (!pc || call.session.state !== SessionState.Established) continue;
      const sdh = call.session.sessionDescriptionHandler as Web.SessionDescriptionHandler | undefined;
      try {
        await replaceMicrophone(pc, sdh?.localMediaStream, constraints, !call.muted && !call.held);
        this.store.getState().setMicrophone('ok');
      } catch (e) {
        this.store.getState().setMicrophone(microphoneProblem(e) ?? 'microphone_blocked');
      }
    }
  }

  private async sampleCalls(): Promise<void> {
    const now = Date.now();
    for (const call of [...this.calls.values()]) {
      const pc = this.pc(call);
      if (!pc || call.session.state !== SessionState.Established || pc.connectionState === 'closed') continue;
      let raw: RawStats | undefined;
      try {
        raw = readStats((await pc.getStats()).values() as Iterable<Record<string, unknown>>, now);
      } catch {
        continue;
      }
      if (!raw || call.ended) continue;
      if (!call.stats || raw.packetsReceived > call.stats.packetsReceived) call.mediaAt = now;
      const quality = qualityFrom(call.stats, raw);
      call.stats = raw;
      this.store.getState().updateCall(call.id, { quality });
      if (!call.held && !call.remoteHold && now - call.mediaAt > MEDIA_TIMEOUT_MS) {
        call.endedByUs = 'connection_lost';
        await this.hangup(call.id).catch(() => undefined);
        this.finish(call, 'connection_lost');
      }
    }
  }

  // ------------------------------------------------------------------ helpers

  private pc(call: LiveCall): RTCPeerConnection | undefined {
    return (call.session.sessionDescriptionHandler as Web.SessionDescriptionHandler | undefined)?.peerConnection;
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
      if (message.startsWith('INVITE ')) {
        this.lastInviteRx = performance.now();
        const prefetch = this.hooks.prefetch;
        if (prefetch && this.hooks.admit?.() !== false) {
          const number = peekInviteNumber(message);
          if (number) prefetch(number);
        }
      }
      deliver?.(message);
    };
  }
}
