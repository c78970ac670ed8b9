// Stand-in for the 'electron' module in tests (see vitest.config.ts). Anything a test needs from it is
// provided by that test; touching something not provided fails loudly.
const handler: ProxyHandler<object> = {
  get(_t, prop) {
    throw new Error(`test touched electron.${String(prop)} without providing it`);
  },
};
export const app = new Proxy({}, handler);
export const ipcMain = new Proxy({}, handler);
export const BrowserWindow = new Proxy({}, handler);
export const safeStorage = new Proxy({}, handler);
export const contextBridge = new Proxy({}, handler);
export const ipcRenderer = new Proxy({}, handler);
export default {};
