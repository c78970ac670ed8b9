// Transport 1: Electron's ipcMain. Every request is checked for its sender (the app's own top-level
// frame) and then handed to the shared router, which validates the payload against the contract.
import { BrowserWindow, type IpcMain } from 'electron';
import { CHANNELS, IPC_EVENT_CHANNEL, IPC_PREFIX } from '../shared/ipc-channels';
import { fail } from '../shared/result';
import { isTrustedSender } from './policy';
import type { Services } from './services/app-services';

export function bindIpc(ipcMain: IpcMain, services: Services): () => void {
  for (const channel of CHANNELS) {
    ipcMain.handle(IPC_PREFIX + channel, async (event, payload: unknown) => {
      if (!isTrustedSender(event.senderFrame)) return fail('forbidden', 'IPC is only answered for the app window');
      return services.router.handle(channel, payload, { transport: 'electron' });
    });
  }
  const unlisten = services.events.listen((event, payload) => {
    for (const win of BrowserWindow.getAllWindows()) {
      const frame = win.webContents.mainFrame;
      if (isTrustedSender(frame)) win.webContents.send(IPC_EVENT_CHANNEL, event, payload);
    }
  });
  return () => {
    unlisten();
    for (const channel of CHANNELS) ipcMain.removeHandler(IPC_PREFIX + channel);
  };
}
