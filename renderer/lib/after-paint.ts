// Work that must not share a frame with the screen pop: run it once the next frame has been drawn, so the
// ringing call and its card reach the screen first.
//
// "Drawn" is the second requestAnimationFrame: the frame's main-thread part ends at the first, but its
// rasterising and compositing (other threads, the same 2 cores on a small machine) come after; work run
// from the first frame's callback competed with them and delayed the card by milliseconds. Everything
// deferred in one frame runs in one task, in the order it was deferred; one that throws does not stop the
// others. A hidden or minimised window gets no frames, so each also runs after `maxWaitMs` at most: deferred
// work is late by a frame or two, never lost.
const queue = new Set<() => void>();
let scheduled = false;

function flush(): void {
  scheduled = false;
  const due = [...queue];
  queue.clear();
  for (const run of due) {
    try {
      run();
    } catch (e) {
      queueMicrotask(() => {
        throw e; // reported as uncaught, after the others ran
      });
    }
  }
}

export function afterNextPaint(fn: () => void, maxWaitMs = 100): void {
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    clearTimeout(fallback);
    queue.delete(run);
    fn();
  };
  const fallback = setTimeout(run, maxWaitMs);
  queue.add(run);
  if (scheduled || typeof requestAnimationFrame !== 'function') return;
  scheduled = true;
  requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(flush, 0)));
}
