// Builds window.lianluo from the channel names: one named method per channel, nothing generic exposed.
// Used by the Electron preload (over ipcRenderer) and by the renderer's web transport (over a WebSocket),
// so the UI sees the same object either way.
import { CHANNELS, EVENTS, type Channel, type EventName } from './ipc-channels';
import type { LianluoBridge } from './ipc';
import type { WireResult } from './result';

export interface BridgeTransport {
  invoke(channel: Channel, payload: unknown): Promise<WireResult<unknown>>;
  subscribe(event: EventName, listener: (payload: unknown) => void): () => void;
}

export function buildBridge(transport: BridgeTransport): LianluoBridge {
  const api: Record<string, Record<string, unknown>> = {};
  for (const channel of CHANNELS) {
    const [ns, method] = channel.split('.') as [string, string];
    api[ns] ??= {};
    api[ns][method] = (request?: unknown) => transport.invoke(channel, request ?? {});
  }
  const on = (event: EventName, listener: (payload: unknown) => void) => {
    if (!(EVENTS as readonly string[]).includes(event)) throw new Error(`unknown event ${String(event)}`);
    if (typeof listener !== 'function') throw new Error('listener must be a function');
    return transport.subscribe(event, listener);
  };
  return Object.freeze({ ...api, on }) as unknown as LianluoBridge;
}
