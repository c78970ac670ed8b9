// Audio plumbing that lives outside React: remote audio elements (on the chosen speaker), microphone
// tracks (on the chosen microphone, swapped in a live call without renegotiation) and the microphone check.
import type { PhoneProblem } from '../stores/phone-store';

/** Where audio goes and comes from; the audio-device manager implements it (renderer/audio/devices.ts). */
export interface MediaRouting {
  /** getUserMedia audio constraints for the chosen microphone (true: the system default). */
  microphone(): MediaTrackConstraints | true;
  /** Sink id of the chosen speaker ('' : the system default). */
  speaker(): string;
}

export const DEFAULT_ROUTING: MediaRouting = { microphone: () => true, speaker: () => '' };

type SinkElement = HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };

export interface RemoteAudio {
  /** Make the element play what the peer connection receives now (after a re-INVITE, a replaced track…). */
  refresh(): void;
  setSink(id: string): Promise<void>;
  detach(): void;
}

const playing = new Set<RemoteAudio>();

/**
 * Play a call's remote audio. It must go through a media element: Chromium hands WebAudio only silence
 * for a remote WebRTC track that is not attached to one.
 */
export function attachRemoteAudio(pc: RTCPeerConnection, sinkId = ''): RemoteAudio {
  const el = document.createElement('audio') as SinkElement;
  el.autoplay = true;
  el.dataset.lianluo = 'remote-audio';
  el.hidden = true;
  document.body.appendChild(el);
  const stream = new MediaStream();
  const refresh = () => {
    const want = pc.getReceivers().flatMap((r) => (r.track?.kind === 'audio' ? [r.track] : []));
    for (const t of stream.getTracks()) if (!want.includes(t)) stream.removeTrack(t);
    for (const t of want) if (!stream.getTracks().includes(t)) stream.addTrack(t);
    if (el.srcObject !== stream) el.srcObject = stream;
    if (el.paused) void el.play().catch(() => undefined);
  };
  refresh();
  const handle: RemoteAudio = {
    refresh,
    setSink: async (id) => {
      if (typeof el.setSinkId === 'function') await el.setSinkId(id);
    },
    detach: () => {
      playing.delete(handle);
      el.pause();
      el.srcObject = null;
      el.remove();
    },
  };
  playing.add(handle);
  if (sinkId) void handle.setSink(sinkId).catch(() => undefined);
  return handle;
}

/** Move every call's audio to another speaker (the agent chose one, or it was unplugged / plugged back). */
export async function setRemoteAudioSink(id: string): Promise<void> {
  await Promise.all([...playing].map((h) => h.setSink(id).catch(() => undefined)));
}

/**
 * Put a new microphone track on a live call without renegotiating (RTCRtpSender.replaceTrack), keeping
 * it muted when the call is muted or held. The old track is stopped.
 */
export async function replaceMicrophone(pc: RTCPeerConnection, localStream: MediaStream | undefined, constraints: MediaTrackConstraints | true, enabled: boolean): Promise<void> {
  const sender = pc.getSenders().find((s) => s.track?.kind === 'audio') ?? pc.getSenders()[0];
  if (!sender) return;
  const stream = await navigator.mediaDevices.getUserMedia({ audio: constraints, video: false });
  const track = stream.getAudioTracks()[0];
  if (!track) throw new Error('the microphone gave no audio track');
  track.enabled = enabled;
  const old = sender.track;
  await sender.replaceTrack(track);
  if (localStream) {
    if (old) localStream.removeTrack(old);
    localStream.addTrack(track);
  }
  old?.stop();
}

/** Enable or disable what we send (mute, hold) and what we play (hold). */
export function setTracks(pc: RTCPeerConnection | undefined, o: { send?: boolean; receive?: boolean }): void {
  if (!pc) return;
  if (o.send !== undefined) for (const s of pc.getSenders()) if (s.track) s.track.enabled = o.send;
  if (o.receive !== undefined) for (const r of pc.getReceivers()) if (r.track) r.track.enabled = o.receive;
}

/** Is there a microphone at all? Runs without asking for permission (device kinds are visible). */
export async function microphonePresent(): Promise<boolean> {
  if (!navigator.mediaDevices?.enumerateDevices) return false;
  const devices = await navigator.mediaDevices.enumerateDevices();
  return devices.some((d) => d.kind === 'audioinput');
}

/** Map a getUserMedia / SDP failure to what the agent can act on. */
export function microphoneProblem(e: unknown): PhoneProblem | undefined {
  const name = e instanceof Error ? e.name : '';
  const msg = e instanceof Error ? e.message : String(e);
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || /Requested device not found/i.test(msg)) return 'no_microphone';
  if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'NotReadableError' || /Permission denied|Could not start audio source/i.test(msg)) {
    return 'microphone_blocked';
  }
  return undefined;
}
