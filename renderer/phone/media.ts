// Audio plumbing that lives outside React: remote audio elements and the microphone check.
import type { PhoneProblem } from '../stores/phone-store';

/**
 * Play a call's remote audio. It must go through a media element: Chromium hands WebAudio only silence
 * for a remote WebRTC track that is not attached to one.
 */
export function attachRemoteAudio(pc: RTCPeerConnection): () => void {
  const stream = new MediaStream();
  for (const r of pc.getReceivers()) if (r.track?.kind === 'audio') stream.addTrack(r.track);
  const el = document.createElement('audio');
  el.autoplay = true;
  el.dataset.lianluo = 'remote-audio';
  el.srcObject = stream;
  el.hidden = true;
  document.body.appendChild(el);
  void el.play().catch(() => undefined);
  return () => {
    el.pause();
    el.srcObject = null;
    el.remove();
  };
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
