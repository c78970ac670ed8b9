// Work that must not share a frame with the screen pop: run it after the next frame has been painted (a
// task queued from inside the frame's requestAnimationFrame callback), so the ringing call and its card
// are drawn first. A hidden or minimised window gets no frames, so it also runs after `maxWaitMs` at most:
// deferred work is late by a frame, never lost.
export function afterNextPaint(fn: () => void, maxWaitMs = 100): void {
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    clearTimeout(fallback);
    fn();
  };
  const fallback = setTimeout(run, maxWaitMs);
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => setTimeout(run, 0));
}
