// Audio devices: microphone, speaker and a separate ringer, chosen by the agent and remembered in the
// settings (by device id and label: some systems give a re-plugged headset a new id). When a chosen
// device is unplugged the system default stands in and the agent is told; when it comes back, it is
// used again, also in a call (devicechange → re-resolve → the phone swaps the microphone track, the
// audio elements and the ringtone move to their sinks).
import { createStore } from 'zustand/vanilla';
import type { AudioDeviceChoice, AudioPrefs } from '../../shared/domain/settings';
import { DEFAULT_AUDIO_PREFS } from '../../shared/domain/defaults';
import type { MediaRouting } from '../phone/media';

export type DeviceRole = 'microphone' | 'speaker' | 'ringer';
export const DEVICE_ROLES: readonly DeviceRole[] = ['microphone', 'speaker', 'ringer'];

export interface DeviceInfo {
  deviceId: string;
  label: string;
}

export interface Resolved {
  /** The device to use; '' means the system default. */
  deviceId: string;
  /** Its label (for 'missing': the label of the device the agent chose). */
  label: string;
  /** default: none chosen · chosen: the chosen one is present · missing: chosen but unplugged (default used). */
  status: 'default' | 'chosen' | 'missing';
}

export type ResolvedDevices = Record<DeviceRole, Resolved>;

/** Pseudo-devices Chromium lists beside the real ones; "System default" covers them. */
const PSEUDO = new Set(['default', 'communications', '']);

export function realDevices(list: readonly MediaDeviceInfo[] | readonly (DeviceInfo & { kind: string })[], kind: 'audioinput' | 'audiooutput'): DeviceInfo[] {
  return list.filter((d) => d.kind === kind && !PSEUDO.has(d.deviceId)).map((d) => ({ deviceId: d.deviceId, label: d.label }));
}

/** Find the chosen device in the current list: by id, else by label (a re-plugged device may have a new id). */
export function resolveChoice(pref: AudioDeviceChoice | null, devices: readonly DeviceInfo[]): Resolved {
  if (!pref) return { deviceId: '', label: '', status: 'default' };
  const byId = devices.find((d) => d.deviceId === pref.deviceId);
  if (byId) return { deviceId: byId.deviceId, label: byId.label || pref.label, status: 'chosen' };
  const byLabel = pref.label ? devices.find((d) => d.label === pref.label) : undefined;
  if (byLabel) return { deviceId: byLabel.deviceId, label: byLabel.label, status: 'chosen' };
  return { deviceId: '', label: pref.label, status: 'missing' };
}

export function resolveAll(prefs: AudioPrefs, inputs: readonly DeviceInfo[], outputs: readonly DeviceInfo[]): ResolvedDevices {
  const speaker = resolveChoice(prefs.speaker, outputs);
  // No ringer chosen: ring where the call audio plays.
  const ringer: Resolved = prefs.ringer ? resolveChoice(prefs.ringer, outputs) : { deviceId: speaker.deviceId, label: speaker.label, status: 'default' };
  return { microphone: resolveChoice(prefs.microphone, inputs), speaker, ringer };
}

export const sameResolved = (a: Resolved, b: Resolved) => a.deviceId === b.deviceId && a.status === b.status && a.label === b.label;

export interface AudioDevicesState {
  inputs: DeviceInfo[];
  outputs: DeviceInfo[];
  prefs: AudioPrefs;
  resolved: ResolvedDevices;
  /** Device names are hidden until the page may use the microphone. */
  labelsHidden: boolean;
  /** The browser can route audio to a chosen output (setSinkId). */
  canChooseOutput: boolean;
  error?: string;
}

export interface AudioDevicesDeps {
  /** Persist the agent's choice (settings.update through IPC). */
  save(patch: Partial<AudioPrefs>): Promise<void>;
  mediaDevices?: MediaDevices | undefined;
}

export type DeviceChangeListener = (now: ResolvedDevices, before: ResolvedDevices) => void;

export class AudioDevices implements MediaRouting {
  readonly store;
  private readonly listeners = new Set<DeviceChangeListener>();
  private readonly md: MediaDevices | undefined;

  constructor(private readonly deps: AudioDevicesDeps) {
    this.md = deps.mediaDevices ?? (typeof navigator !== 'undefined' ? navigator.mediaDevices : undefined);
    const canChooseOutput = typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
    this.store = createStore<AudioDevicesState>()(() => ({
      inputs: [],
      outputs: [],
      prefs: DEFAULT_AUDIO_PREFS,
      resolved: resolveAll(DEFAULT_AUDIO_PREFS, [], []),
      labelsHidden: false,
      canChooseOutput,
    }));
  }

  start(): () => void {
    const onChange = () => void this.refresh();
    this.md?.addEventListener('devicechange', onChange);
    void this.refresh();
    return () => this.md?.removeEventListener('devicechange', onChange);
  }

  onChange(l: DeviceChangeListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  setPrefs(prefs: AudioPrefs): void {
    this.update({ prefs });
  }

  async refresh(): Promise<void> {
    if (!this.md?.enumerateDevices) return;
    try {
      const list = await this.md.enumerateDevices();
      const audio = list.filter((d) => d.kind === 'audioinput' || d.kind === 'audiooutput');
      this.update({
        inputs: realDevices(list, 'audioinput'),
        outputs: realDevices(list, 'audiooutput'),
        labelsHidden: audio.length > 0 && audio.every((d) => !d.label),
        error: undefined,
      });
    } catch (e) {
      this.store.setState({ error: e instanceof Error ? e.message : String(e) });
    }
  }

  /** Device names need microphone permission: ask once, stop at once, list again. */
  async revealLabels(): Promise<void> {
    if (!this.md?.getUserMedia) return;
    const s = await this.md.getUserMedia({ audio: true, video: false });
    for (const t of s.getTracks()) t.stop();
    await this.refresh();
  }

  /** The agent chose a device for a role ('' : the system default). Saved; applied when the settings echo back. */
  async choose(role: DeviceRole, deviceId: string): Promise<void> {
    const st = this.store.getState();
    const list = role === 'microphone' ? st.inputs : st.outputs;
    const d = list.find((x) => x.deviceId === deviceId);
    const choice: AudioDeviceChoice | null = deviceId && d ? { deviceId: d.deviceId, label: d.label } : null;
    this.update({ prefs: { ...st.prefs, [role]: choice } });
    await this.deps.save({ [role]: choice });
  }

  // MediaRouting, for the phone
  microphone(): MediaTrackConstraints | true {
    const r = this.store.getState().resolved.microphone;
    return r.deviceId ? { deviceId: { exact: r.deviceId } } : true;
  }

  speaker(): string {
    return this.store.getState().resolved.speaker.deviceId;
  }

  ringer(): string {
    return this.store.getState().resolved.ringer.deviceId;
  }

  private update(patch: Partial<AudioDevicesState>): void {
    const before = this.store.getState();
    const next = { ...before, ...patch };
    const resolved = resolveAll(next.prefs, next.inputs, next.outputs);
    const changed = DEVICE_ROLES.some((r) => !sameResolved(resolved[r], before.resolved[r]));
    this.store.setState({ ...patch, resolved: changed ? resolved : before.resolved });
    if (changed) for (const l of this.listeners) l(resolved, before.resolved);
  }
}
