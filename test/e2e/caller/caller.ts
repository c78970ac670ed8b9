// The test caller: a bare SIP.js page that registers as a caller and places one call at a time with a
// chosen From user, display name and P-Asserted-Identity, like a trunk gateway delivering a customer's
// number. Its fake microphone plays a tone; it can tell which tone it hears back. It behaves like a
// well-behaved customer phone for the agent features: it answers calls when asked to (outbound calls
// from the desktop), records SIP INFO (DTMF relay), and follows a transfer (REFER), copying the headers
// the Refer-To URI carries (RFC 3515 §2.1) such as X-Lianluo-Context into its new INVITE.
// Driven through window.caller (see api.ts) by the end-to-end tests and by `npm run demo:call`.
import { Invitation, Inviter, Registerer, RegistererState, SessionState, UserAgent, type Referral, type Session, type Web } from 'sip.js';
import type { CallerAccount, CallerApi, CallRequest, CallStatus } from './api';
import { detectTones } from './tones';

let ua: UserAgent | undefined;
let registerer: Registerer | undefined;
let session: Session | undefined;
let status: CallStatus = { state: '', provisional: [], transfers: 0, infos: [] };
let hungUpHere = false;
let autoAnswer = false;
let remoteAudio: HTMLAudioElement | undefined;

function attachRemoteAudio(s: Session): void {
  detachRemoteAudio();
  const pc = (s.sessionDescriptionHandler as Web.SessionDescriptionHandler | undefined)?.peerConnection;
  if (!pc) return;
  const stream = new MediaStream();
  for (const r of pc.getReceivers()) if (r.track?.kind === 'audio') stream.addTrack(r.track);
  // Chromium feeds WebAudio silence for a remote track that is not playing in a media element.
  const el = document.createElement('audio');
  el.autoplay = true;
  el.muted = true;
  el.srcObject = stream;
  document.body.appendChild(el);
  void el.play().catch(() => undefined);
  remoteAudio = el;
}

function detachRemoteAudio(): void {
  if (!remoteAudio) return;
  remoteAudio.srcObject = null;
  remoteAudio.remove();
  remoteAudio = undefined;
}

/** Make `s` the call this page is on: its state, audio, INFO and REFER. */
function follow(s: Session, direction: 'outbound' | 'inbound'): void {
  session = s;
  hungUpHere = false;
  status = { ...status, state: s.state, provisional: [], direction };
  delete status.final;
  delete status.endedBy;
  s.stateChange.addListener((st) => {
    if (session !== s) return;
    status = { ...status, state: st };
    if (st === SessionState.Established) attachRemoteAudio(s);
    if (st === SessionState.Terminated) {
      detachRemoteAudio();
      status = { ...status, endedBy: hungUpHere ? 'local' : 'remote' };
    }
  });
  s.delegate = {
    onInfo: (info) => {
      status = { ...status, infos: [...status.infos, info.request.body ?? ''] };
      void info.accept();
    },
    onRefer: (referral) => void transferred(s, referral),
    // A re-INVITE (hold, resume, refresh) may bring new receivers: keep listening to the current ones.
    onInvite: () => {
      if (session === s && s.state === SessionState.Established) attachRemoteAudio(s);
    },
  };
}

/** The agent transferred us: accept, and call the target with the headers the Refer-To URI carries. */
async function transferred(from: Session, referral: Referral): Promise<void> {
  const uri = referral.referTo.uri;
  const raw = uri.getHeader('X-Lianluo-Context')?.[0];
  const context = raw ? decodeURIComponent(raw) : undefined;
  status = { ...status, lastRefer: { referTo: referral.referTo.toString(), ...(context ? { context } : {}), replaces: !!referral.replaces } };
  await referral.accept();
  const inviter = referral.makeInviter({
    extraHeaders: context ? [`X-Lianluo-Context: ${context}`] : [],
    sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } },
  });
  status = { ...status, transfers: status.transfers + 1 };
  follow(inviter, 'outbound');
  await inviter.invite();
  void from;
}

async function register(account: CallerAccount): Promise<{ ok: true } | { ok: false; error: string }> {
  await stop();
  const uri = UserAgent.makeURI(account.sipUri);
  if (!uri) return { ok: false, error: `invalid SIP URI ${account.sipUri}` };
  autoAnswer = account.autoAnswer ?? false;
  ua = new UserAgent({
    uri,
    authorizationUsername: uri.user,
    authorizationPassword: account.password,
    transportOptions: { server: account.wsUrl, connectionTimeout: 5 },
    sessionDescriptionHandlerFactoryOptions: {
      peerConnectionConfiguration: { iceServers: [] },
      iceGatheringTimeout: 500,
    },
    userAgentString: 'Lianluo test caller',
    logLevel: 'error',
    delegate: {
      onInvite: (inv: Invitation) => {
        const context = inv.request.getHeader('X-Lianluo-Context');
        status = { ...status, lastIncoming: { from: inv.remoteIdentity.uri.toString(), ...(context ? { context } : {}) } };
        if (!autoAnswer || (session && session.state !== SessionState.Terminated)) {
          void inv.reject({ statusCode: 486 });
          return;
        }
        follow(inv, 'inbound');
        void inv.accept({ sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } } });
      },
    },
  });
  try {
    await ua.start();
  } catch (e) {
    return { ok: false, error: `cannot connect to ${account.wsUrl}: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (account.register === false) return { ok: true };
  const reg = (registerer = new Registerer(ua, { expires: 300 }));
  return new Promise((resolve) => {
    reg.stateChange.addListener((st) => {
      if (st === RegistererState.Registered) resolve({ ok: true });
    });
    reg
      .register({
        requestDelegate: {
          onReject: (r) => resolve({ ok: false, error: `REGISTER rejected: ${r.message.statusCode} ${r.message.reasonPhrase}` }),
        },
      })
      .catch((e: unknown) => resolve({ ok: false, error: String(e) }));
  });
}

async function call(req: CallRequest): Promise<void> {
  if (!ua) throw new Error('register first');
  if (session && session.state !== SessionState.Terminated) throw new Error('a call is already up');
  const target = UserAgent.makeURI(req.target);
  const host = ua.configuration.uri.host;
  const fromUri = UserAgent.makeURI(`sip:${encodeURIComponent(req.fromUser)}@${host}`);
  if (!target || !fromUri) throw new Error(`invalid target ${req.target} or From user ${req.fromUser}`);
  const inviter = new Inviter(ua, target, {
    params: { fromUri, ...(req.fromDisplayName !== undefined ? { fromDisplayName: req.fromDisplayName } : {}) },
    extraHeaders: req.pai ? [`P-Asserted-Identity: ${req.pai}`] : [],
    sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } },
  });
  status = { ...status, transfers: 0 };
  follow(inviter, 'outbound');
  await inviter.invite({
    requestDelegate: {
      onProgress: (r) => {
        if (session === inviter) status = { ...status, provisional: [...status.provisional, r.message.statusCode ?? 0] };
      },
      onAccept: (r) => {
        if (session === inviter) status = { ...status, final: { code: r.message.statusCode ?? 200, reason: r.message.reasonPhrase ?? '' } };
      },
      onReject: (r) => {
        if (session === inviter) status = { ...status, final: { code: r.message.statusCode ?? 0, reason: r.message.reasonPhrase ?? '' } };
      },
    },
  });
}

async function hangup(): Promise<void> {
  const s = session;
  if (!s) return;
  hungUpHere = true;
  if (s.state === SessionState.Established) await s.bye();
  else if (s instanceof Inviter && (s.state === SessionState.Initial || s.state === SessionState.Establishing)) await s.cancel();
  else if (s instanceof Invitation && s.state === SessionState.Initial) await s.reject();
}

async function stop(): Promise<void> {
  await hangup().catch(() => undefined);
  if (registerer && registerer.state === RegistererState.Registered) await registerer.unregister().catch(() => undefined);
  await ua?.stop().catch(() => undefined);
  ua = undefined;
  registerer = undefined;
  session = undefined;
  status = { state: '', provisional: [], transfers: 0, infos: [] };
}

const api: CallerApi = {
  register,
  call,
  status: () => status,
  hangup,
  remoteTones: async (ms, freqs) => (remoteAudio?.srcObject instanceof MediaStream ? detectTones(remoteAudio.srcObject, ms, freqs) : null),
  stop,
};
window.caller = api;
