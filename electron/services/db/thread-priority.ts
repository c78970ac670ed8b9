// The writer worker runs below the threads an agent waits on. A bulk sync keeps it busy for a minute or
// more (JSON parsing, inserts, index and search builds); at the same priority it takes CPU from the main
// process's thread, which answers the screen pop's lookup, and from the renderer, which paints the card.
// Measured on 2 cores (pop.paint_during_sync_ms_p95): the main thread then waits longer for a CPU than it
// runs. A lower priority costs the sync nothing on an idle machine and lets the pop go first on a busy one.
//
// Linux only: there the nice value and the scheduling policy belong to each thread, and
// `/proc/thread-self` names the calling thread, so this thread alone is lowered. Elsewhere os.setPriority
// can only change the whole process (main thread included), so nothing is done.
//
// On Linux the thread goes to SCHED_IDLE (util-linux `chrt --idle`, on every desktop distribution): it
// runs only on CPU time nothing else wants. Nice 10 still left the main thread waiting for a CPU during
// a pop (pop.paint_during_sync_ms_p95 56 ms; with SCHED_IDLE 45 ms, the finishing steps 55 → 32 ms) and
// the rebuild was no slower (50 → 45 s). The cost: while other work keeps every core busy, the cache
// does not advance (it keeps serving lookups; the sync status shows it behind). An unprivileged thread
// cannot leave SCHED_IDLE again, so it is for the writer's whole life. Without chrt, nice 10 alone.
import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** Nice value of the writer worker: the usual "background work" level. */
export const WRITER_NICE = 10;

export interface ThreadPriority {
  tid: number;
  nice: number;
  /** The thread's scheduling policy: 'idle' (SCHED_IDLE), 'normal' (SCHED_OTHER) or another. */
  policy: 'idle' | 'normal' | 'other';
}

/** Scheduling policy of a thread of this process (field 41 of /proc/<pid>/task/<tid>/stat). */
export function threadPolicy(tid: number): ThreadPriority['policy'] {
  try {
    const st = readFileSync(`/proc/${process.pid}/task/${tid}/stat`, 'utf8');
    const policy = Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[38]);
    return policy === 5 ? 'idle' : policy === 0 ? 'normal' : 'other';
  } catch {
    return 'other';
  }
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
 * Lower the calling thread to SCHED_IDLE and `nice` (never raises it: a process started with a higher
 * nice keeps it). Returns what the thread runs at, or null where a single thread cannot be changed.
 */
export function lowerThreadPriority(nice: number = WRITER_NICE): ThreadPriority | null {
  const tid = currentThreadId();
  if (tid === null) return null;
  try {
    if (getPriority(tid) < nice) setPriority(tid, nice);
  } catch {
    return null; // not allowed (a sandbox): the worker still works, at the normal priority
  }
  if (threadPolicy(tid) === 'normal') {
    try {
      execFileSync('chrt', ['--idle', '--pid', '0', String(tid)], { stdio: 'ignore', timeout: 5000 });
    } catch {
      /* no chrt, or not allowed: nice alone */
    }
  }
  return { tid, nice: getPriority(tid), policy: threadPolicy(tid) };
}
