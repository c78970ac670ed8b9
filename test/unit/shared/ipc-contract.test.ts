// The names the sandboxed preload knows (ipc-channels.ts) are exactly the contract's (ipc.ts), and
// buildBridge turns them into window.lianluo: named methods only, nothing generic.
import { describe, expect, it, vi } from 'vitest';
import { CHANNELS, EVENTS, IPC_EVENT_CHANNEL, IPC_PREFIX } from '../../../shared/ipc-channels';
import { contract, events } from '../../../shared/ipc';
import { buildBridge, type BridgeTransport } from '../../../shared/ipc-bridge';
import { ok } from '../../../shared/result';

describe('IPC names', () => {
  it('CHANNELS are exactly the keys of the contract, without duplicates', () => {
    expect([...CHANNELS].sort()).toEqual(Object.keys(contract).sort());
    expect(new Set(CHANNELS).size).toBe(CHANNELS.length);
  });

  it('EVENTS are exactly the keys of events, without duplicates', () => {
    expect([...EVENTS].sort()).toEqual(Object.keys(events).sort());
    expect(new Set(EVENTS).size).toBe(EVENTS.length);
  });

  it('every channel is namespace.method, so the bridge can group it', () => {
    for (const c of CHANNELS) expect(c).toMatch(/^[a-z]+\.[a-zA-Z]+$/);
    expect(IPC_EVENT_CHANNEL.startsWith(IPC_PREFIX)).toBe(true);
  });

  it('every request schema refuses unknown keys', () => {
    for (const c of CHANNELS) expect(contract[c].request.safeParse({ surely_not_a_field: 1 }).success, c).toBe(false);
  });
});

function fakeTransport() {
  const invoke = vi.fn<BridgeTransport['invoke']>(async (channel) => ok(`answer to ${channel}`));
  const unsubscribe = vi.fn();
  const subscribe = vi.fn<BridgeTransport['subscribe']>(() => unsubscribe);
  return { transport: { invoke, subscribe }, invoke, subscribe, unsubscribe };
}

describe('buildBridge', () => {
  it('exposes exactly one named method per channel, grouped by namespace, plus on()', () => {
    const bridge = buildBridge(fakeTransport().transport) as unknown as Record<string, Record<string, unknown>>;
    const namespaces = [...new Set(CHANNELS.map((c) => c.split('.')[0]))].sort();
    expect(Object.keys(bridge).sort()).toEqual([...namespaces, 'on'].sort());
    const methods = Object.entries(bridge)
      .filter(([k]) => k !== 'on')
      .flatMap(([ns, m]) => Object.keys(m).map((name) => `${ns}.${name}`));
    expect(methods.sort()).toEqual([...CHANNELS].sort());
    for (const m of methods) expect(typeof bridge[m.split('.')[0] as string]?.[m.split('.')[1] as string]).toBe('function');
    // nothing generic that could reach any channel
    for (const k of ['invoke', 'send', 'ipcRenderer', 'transport', 'call']) expect(bridge[k]).toBeUndefined();
  });

  it('is frozen', () => {
    const bridge = buildBridge(fakeTransport().transport) as unknown as Record<string, unknown>;
    expect(Object.isFrozen(bridge)).toBe(true);
    expect(() => {
      bridge.evil = () => {};
    }).toThrow();
  });

  it('each method invokes its own channel with the request (an empty object when omitted)', async () => {
    const t = fakeTransport();
    const bridge = buildBridge(t.transport);
    expect(await bridge.customers.lookup({ ani: '13800138000' })).toEqual(ok('answer to customers.lookup'));
    expect(t.invoke).toHaveBeenLastCalledWith('customers.lookup', { ani: '13800138000' });
    await bridge.app.info();
    expect(t.invoke).toHaveBeenLastCalledWith('app.info', {});
    await bridge.cache.status();
    expect(t.invoke).toHaveBeenLastCalledWith('cache.status', {});
  });

  it('subscribes to known events only, with a function listener, and returns the unsubscribe', () => {
    const t = fakeTransport();
    const bridge = buildBridge(t.transport);
    const listener = vi.fn();
    const off = bridge.on('cache.changed', listener);
    expect(t.subscribe).toHaveBeenCalledWith('cache.changed', listener);
    off();
    expect(t.unsubscribe).toHaveBeenCalled();
    expect(() => bridge.on('not.an.event' as never, listener)).toThrow(/unknown event/);
    expect(() => bridge.on('__proto__' as never, listener)).toThrow(/unknown event/);
    expect(() => bridge.on('settings.changed', 'alert(1)' as never)).toThrow(/listener must be a function/);
    expect(t.subscribe).toHaveBeenCalledTimes(1);
  });
});
