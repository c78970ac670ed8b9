// The writer worker runs below the main thread (electron/services/db/thread-priority.ts): on Linux its
// own thread, and only it, goes to SCHED_IDLE (and nice 10), so a bulk sync yields the CPU to the lookup
// and the renderer.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { startWriter } from '../../electron/services/db/writer-client';
import { execFileSync } from 'node:child_process';
import { currentThreadId, threadPolicy, WRITER_NICE } from '../../electron/services/db/thread-priority';
import { WRITER_FROM_SOURCE } from './support/services';

/** Nice value of every thread of this process, by thread id (field 19 of /proc/<pid>/task/<tid>/stat). */
function threadNices(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${process.pid}/task`)) {
    try {
      const st = readFileSync(`/proc/${process.pid}/task/${tid}/stat`, 'utf8');
      out.set(Number(tid), Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[16]));
    } catch {
      /* the thread ended meanwhile */
    }
  }
  return out;
}

/** chrt (util-linux) is what sets SCHED_IDLE; without it the writer has nice 10 alone. */
const HAS_CHRT = (() => {
  try {
    execFileSync('chrt', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const WRITER_POLICY = HAS_CHRT ? 'idle' : 'normal';

const cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

describe.runIf(process.platform === 'linux')('writer worker priority (Linux)', () => {
  it('lowers the calling thread alone, and never raises it', async (ctx) => {
    const main = threadNices().get(process.pid)!;
    if (main >= WRITER_NICE) ctx.skip(); // this process already runs at background priority: nothing to lower
    expect(currentThreadId()).toBe(process.pid); // the main thread's id is the process id
    const w = new Worker(new URL('./support/thread-priority-worker.mjs', import.meta.url));
    cleanup.push(() => w.terminate());
    const r = await new Promise<{ tid: number; first: { tid: number; nice: number; policy: string }; again: { tid: number; nice: number; policy: string } }>((ok, ko) => {
      w.once('message', ok);
      w.once('error', ko);
    });
    expect(r.tid).not.toBe(process.pid);
    expect(r.first).toEqual({ tid: r.tid, nice: WRITER_NICE, policy: WRITER_POLICY });
    expect(r.again).toEqual({ tid: r.tid, nice: WRITER_NICE, policy: WRITER_POLICY });
    expect(threadPolicy(process.pid)).toBe('normal');
    const nices = threadNices();
    expect(nices.get(r.tid)).toBe(WRITER_NICE);
    expect(nices.get(process.pid)).toBe(main);
    expect([...nices.values()].filter((n) => n !== main)).toEqual([WRITER_NICE]);
    w.postMessage('done');
  });

  it('the real writer worker runs at the background priority, the main thread does not', async (ctx) => {
    const main = threadNices().get(process.pid)!;
    if (main >= WRITER_NICE) ctx.skip();
    const before = new Set(threadNices().keys());
    const dir = mkdtempSync(join(tmpdir(), 'lianluo-writer-priority-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const writer = startWriter(WRITER_FROM_SOURCE, join(dir, 'cache.sqlite'));
    cleanup.push(() => writer.close());
    await writer.call('migrate', null); // answered: the worker's module has run
    const nices = threadNices();
    const lowered = [...nices].filter(([, n]) => n === WRITER_NICE).map(([tid]) => tid);
    expect(lowered).toHaveLength(1);
    expect(before.has(lowered[0]!)).toBe(false); // a thread the writer brought, not one of ours
    expect(threadPolicy(lowered[0]!)).toBe(WRITER_POLICY);
    expect(nices.get(process.pid)).toBe(main);
    expect(threadPolicy(process.pid)).toBe('normal');
  });
});
