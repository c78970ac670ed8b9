// The test caller: a bare SIP.js page that registers as a caller and places one call at a time with a
// chosen From user, display name and P-Asserted-Identity, like a trunk gateway delivering a customer's
// number. Its fake microphone plays a tone; it can tell which tone it hears back. Driven through
// window.caller (see api.ts) by the end-to-end tests and by `npm run demo:call`.
import { Inviter, Registerer, RegistererState, SessionState, UserAgent, type Web } from 'sip.js';
import type { CallerAccount, CallerApi, CallRequest, CallStatus } from './api';
import { detectTones } from './tones';

let ua: UserAgent | undefined;
let registerer: Registerer | undefined;
let inviter: Inviter | undefined;
let status: CallStatus = { state: '', provisional: [] };
let hungUpHere = false;
let remoteAudio: HTMLAudioElement | undefined;

function attachRemoteAudio(session: Inviter): void {
  const pc = (session.sessionDescriptionHandler as Web.SessionDescriptionHandler | undefined)?.peerConnection;
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

async function register(account: CallerAccount): Promise<{ ok: true } | { ok: false; error: string }> {
  await stop();
  const uri = UserAgent.makeURI(account.sipUri);
  if (!uri) return { ok: false, error: `invalid SIP URI ${account.sipUri}` };
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
  if (inviter && inviter.state !== SessionState.Terminated) throw new Error('a call is already up');
  const target = UserAgent.makeURI(req.target);
  const host = ua.configuration.uri.host;
  const fromUri = UserAgent.makeURI(`sip:${encodeURIComponent(req.fromUser)}@${host}`);
  if (!target || !fromUri) throw new Error(`invalid target ${req.target} or From user ${req.fromUser}`);
  const session = new Inviter(ua, target, {
    params: { fromUri, ...(req.fromDisplayName !== undefined ? { fromDisplayName: req.fromDisplayName } : {}) },
    extraHeaders: req.pai ? [`P-Asserted-Identity: ${req.pai}`] : [],
    sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } },
  });
  inviter = session;
  hungUpHere = false;
  status = { state: session.state, provisional: [] };
  session.stateChange.addListener((st) => {
    if (inviter !== session) return;
    status = { ...status, state: st };
    if (st === SessionState.Established) attachRemoteAudio(session);
    if (st === SessionState.Terminated) {
      detachRemoteAudio();
      status = { ...status, endedBy: hungUpHere ? 'local' : 'remote' };
    }
  });
  await session.invite({
    requestDelegate: {
      onProgress: (r) => {
        if (inviter === session) status = { ...status, provisional: [...status.provisional, r.message.statusCode ?? 0] };
      },
      onAccept: (r) => {
        if (inviter === session) status = { ...status, final: { code: r.message.statusCode ?? 200, reason: r.message.reasonPhrase ?? '' } };
      },
      onReject: (r) => {
        if (inviter === session) status = { ...status, final: { code: r.message.statusCode ?? 0, reason: r.message.reasonPhrase ?? '' } };
      },
    },
  });
}

async function hangup(): Promise<void> {
  const s = inviter;
  if (!s) return;
  hungUpHere = true;
  if (s.state === SessionState.Established) await s.bye();
  else if (s.state === SessionState.Initial || s.state === SessionState.Establishing) await s.cancel();
}

async function stop(): Promise<void> {
  await hangup().catch(() => undefined);
  if (registerer && registerer.state === RegistererState.Registered) await registerer.unregister().catch(() => undefined);
  await ua?.stop().catch(() => undefined);
  ua = undefined;
  registerer = undefined;
}

const api: CallerApi = {
  register,
  call,
  status: () => status,
  hangup,
  remoteTones: async (ms) => (remoteAudio?.srcObject instanceof MediaStream ? detectTones(remoteAudio.srcObject, ms) : null),
  stop,
};
window.caller = api;
