// The writer worker runs below the threads an agent waits on. A bulk sync keeps it busy for a minute or
// more (JSON parsing, inserts, index and search builds); at the same priority it takes CPU from the main
// process's thread, which answers the screen pop's lookup, and from the renderer, which paints the card.
// Measured on 2 cores (pop.paint_during_sync_ms_p95): the main thread then waits longer for a CPU than it
// runs. A lower priority costs the sync nothing on an idle machine and lets the pop go first on a busy one.
//
// Linux only: there the nice value belongs to each thread, and `/proc/thread-self` names the calling
// thread, so os.setPriority(tid) lowers this thread alone. Elsewhere os.setPriority can only change the
// whole process (main thread included), so nothing is done.
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** Nice value of the writer worker: the usual "background work" level. */
export const WRITER_NICE = 10;

export interface ThreadPriority {
  tid: number;
  nice: number;
}

/** The calling thread's id (Linux), or null. */
export function currentThreadId(): number | null {
  if (process.platform !== 'linux') return null;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : null;
  } catch {
    return null;
  }
}

/**
 * Lower the calling thread's priority to `nice` (never raises it: a process started with a higher nice
 * keeps it). Returns what the thread runs at, or null where a single thread cannot be changed.
 */
export function lowerThreadPriority(nice: number = WRITER_NICE): ThreadPriority | null {
  const tid = currentThreadId();
  if (tid === null) return null;
  try {
    if (getPriority(tid) < nice) setPriority(tid, nice);
    return { tid, nice: getPriority(tid) };
  } catch {
    return null; // not allowed (a sandbox): the worker still works, at the normal priority
  }
}
