// What every desktop started by the sync tests shares (no vitest import: child processes use it too).
/** The real writer worker, from its TypeScript source. */
export const WRITER = { url: new URL('../../support/writer-worker-from-source.mjs', import.meta.url) };
export const quiet = { info: () => {}, warn: () => {}, error: () => {} };
