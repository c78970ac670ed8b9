// The renderer's only way to the main process: window.lianluo (Electron preload or the web transport),
// with results unwrapped into values or IpcError.
import type { LianluoBridge } from '../../shared/ipc';
import type { WireError, WireResult } from '../../shared/result';

export class IpcError extends Error {
  readonly code: WireError['code'];
  readonly issues: string[];
  constructor(e: WireError) {
    super(e.message);
    this.name = 'IpcError';
    this.code = e.code;
    this.issues = e.issues ?? [];
  }
}

export async function unwrap<T>(p: Promise<WireResult<T>>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new IpcError(r.error);
  return r.value;
}

declare global {
  interface Window {
    lianluo?: LianluoBridge;
  }
}
