// Audio devices: the agent's choice found again by id or label, the default standing in while it is
// unplugged, and listeners told only when something changes.
import { describe, expect, it, vi } from 'vitest';
import { AudioDevices, realDevices, resolveAll, resolveChoice } from '../../../renderer/audio/devices';

const jabra = { deviceId: 'id-jabra', label: 'Jabra Evolve2 65' };
const desk = { deviceId: 'id-desk', label: 'Desk speaker' };

describe('resolveChoice', () => {
  it('is the default when nothing is chosen', () => {
    expect(resolveChoice(null, [jabra])).toEqual({ deviceId: '', label: '', status: 'default' });
  });
  it('finds the chosen device by id', () => {
    expect(resolveChoice(jabra, [desk, jabra])).toEqual({ ...jabra, status: 'chosen' });
  });
  it('finds a re-plugged device by its label when its id changed', () => {
    expect(resolveChoice(jabra, [desk, { deviceId: 'id-new', label: jabra.label }])).toEqual({ deviceId: 'id-new', label: jabra.label, status: 'chosen' });
  });
  it('is missing (default used) while unplugged', () => {
    expect(resolveChoice(jabra, [desk])).toEqual({ deviceId: '', label: jabra.label, status: 'missing' });
  });
  it('rings on the speaker when no ringer is chosen, on the ringer when one is', () => {
    const r = resolveAll({ microphone: null, speaker: jabra, ringer: null }, [], [jabra, desk]);
    expect(r.ringer).toEqual({ deviceId: jabra.deviceId, label: jabra.label, status: 'default' });
    expect(resolveAll({ microphone: null, speaker: jabra, ringer: desk }, [], [jabra, desk]).ringer).toEqual({ ...desk, status: 'chosen' });
  });
  it('leaves Chromium’s pseudo-devices out of the choices', () => {
    const list = [
      { deviceId: 'default', label: 'Default - Jabra', kind: 'audioinput' },
      { deviceId: 'communications', label: 'Communications - Jabra', kind: 'audioinput' },
      { deviceId: 'id-jabra', label: 'Jabra', kind: 'audioinput' },
      { deviceId: 'id-desk', label: 'Desk', kind: 'audiooutput' },
    ];
    expect(realDevices(list, 'audioinput')).toEqual([{ deviceId: 'id-jabra', label: 'Jabra' }]);
  });
});

/** A MediaDevices whose device list the test changes, firing devicechange like a plug or unplug. */
class FakeMediaDevices extends EventTarget {
  list: { deviceId: string; label: string; kind: string; groupId: string }[] = [];
  enumerateDevices = async () => this.list as unknown as MediaDeviceInfo[];
  set(devices: { deviceId: string; label: string; kind: string }[]) {
    this.list = devices.map((d) => ({ ...d, groupId: '' }));
    this.dispatchEvent(new Event('devicechange'));
  }
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('AudioDevices', () => {
  it('switches back to the chosen microphone when it is plugged in again, telling the phone each time', async () => {
    const md = new FakeMediaDevices();
    const save = vi.fn(async () => undefined);
    const audio = new AudioDevices({ save, mediaDevices: md as unknown as MediaDevices });
    const changes: string[] = [];
    audio.onChange((now) => changes.push(`${now.microphone.status}:${now.microphone.deviceId}`));
    md.list = [{ ...jabra, kind: 'audioinput', groupId: '' }];
    const stop = audio.start();
    await flush();
    audio.setPrefs({ microphone: jabra, speaker: null, ringer: null });
    expect(audio.microphone()).toEqual({ deviceId: { exact: jabra.deviceId } });
    md.set([{ ...desk, kind: 'audioinput' }]); // unplugged
    await flush();
    expect(audio.microphone()).toBe(true);
    expect(audio.store.getState().resolved.microphone.status).toBe('missing');
    md.set([{ ...desk, kind: 'audioinput' }, { deviceId: 'id-jabra-2', label: jabra.label, kind: 'audioinput' }]); // back, new id
    await flush();
    expect(audio.microphone()).toEqual({ deviceId: { exact: 'id-jabra-2' } });
    md.set([{ ...desk, kind: 'audioinput' }, { deviceId: 'id-jabra-2', label: jabra.label, kind: 'audioinput' }]); // same list again
    await flush();
    expect(changes).toEqual([`chosen:${jabra.deviceId}`, 'missing:', 'chosen:id-jabra-2']);
    stop();
  });

  it('saves a choice by id and label, and "system default" as null', async () => {
    const md = new FakeMediaDevices();
    md.list = [{ ...desk, kind: 'audiooutput', groupId: '' }];
    const save = vi.fn(async () => undefined);
    const audio = new AudioDevices({ save, mediaDevices: md as unknown as MediaDevices });
    await audio.refresh();
    await audio.choose('ringer', desk.deviceId);
    expect(save).toHaveBeenLastCalledWith({ ringer: desk });
    expect(audio.ringer()).toBe(desk.deviceId);
    await audio.choose('ringer', '');
    expect(save).toHaveBeenLastCalledWith({ ringer: null });
  });

  it('notices when device names are hidden (no microphone permission yet)', async () => {
    const md = new FakeMediaDevices();
    md.list = [{ deviceId: '', label: '', kind: 'audioinput', groupId: '' }];
    const audio = new AudioDevices({ save: async () => undefined, mediaDevices: md as unknown as MediaDevices });
    await audio.refresh();
    expect(audio.store.getState().labelsHidden).toBe(true);
  });
});
