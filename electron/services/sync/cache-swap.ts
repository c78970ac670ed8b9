// Putting a finished cache file in place of the one that served lookups. The caller has closed every
// connection to both files (the writer worker its two, the main process its reader), so on every OS
// the rename succeeds or changes nothing. The old file's WAL and shared-memory index go first: a WAL
// left beside the new file would be replayed into it. Only metadata operations: this runs on the main
// thread between two lookups. Making the rename durable (syncing the folder, which can wait on the
// disk for a while) is done afterwards by the writer worker (syncDir); if the machine dies before that,
// the next start finds the finished file again and swaps it in again.
import { closeSync, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';

export function swapInFile(from: string, to: string): void {
  rmSync(`${to}-wal`, { force: true });
  rmSync(`${to}-shm`, { force: true });
  renameSync(from, to);
}

/** Make a rename in this folder durable (POSIX; Windows has no directory handles to sync). */
export function syncDir(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
