// Sandboxed preload: exposes window.lianluo with one named method per contract channel. Never exposes
// ipcRenderer itself. Bundled into one CommonJS file (sandboxed preloads cannot load local modules).
import { contextBridge, ipcRenderer } from 'electron';
import { buildBridge } from '../shared/ipc-bridge';
import { IPC_EVENT_CHANNEL, IPC_PREFIX } from '../shared/ipc-channels';
import type { WireResult } from '../shared/result';

const bridge = buildBridge({
  invoke: (channel, payload) => ipcRenderer.invoke(IPC_PREFIX + channel, payload) as Promise<WireResult<unknown>>,
  subscribe: (event, listener) => {
    const handler = (_e: Electron.IpcRendererEvent, name: unknown, payload: unknown) => {
      if (name === event) listener(payload);
    };
    ipcRenderer.on(IPC_EVENT_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT_CHANNEL, handler);
    };
  },
});

contextBridge.exposeInMainWorld('lianluo', bridge);
