// Putting a finished cache file in place of the one that served lookups. The caller has closed every
// connection to both files (the writer worker its two, the main process its reader), so on every OS
// the rename succeeds or changes nothing. The old file's WAL and shared-memory index go first: a WAL
// left beside the new file would be replayed into it.
import { closeSync, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';

export function swapInFile(from: string, to: string): void {
  rmSync(`${to}-wal`, { force: true });
  rmSync(`${to}-shm`, { force: true });
  renameSync(from, to);
  // Make the rename itself durable (POSIX); Windows has no directory handles to sync.
  if (process.platform !== 'win32') {
    const fd = openSync(dirname(to), 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}
