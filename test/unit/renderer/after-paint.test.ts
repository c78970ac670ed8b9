// afterNextPaint: once the next frame has been drawn (the second animation frame) when frames come, after
// maxWaitMs when they do not (a hidden window), exactly once either way, in order, one failure not
// stopping the rest.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { afterNextPaint } from '../../../renderer/lib/after-paint';

describe('afterNextPaint', () => {
  let frames: (() => void)[];
  /** Runs the animation frames queued so far (not those they queue). */
  const frame = () => {
    for (const f of frames.splice(0)) f();
  };

  beforeEach(() => {
    vi.useFakeTimers();
    frames = [];
    vi.stubGlobal('requestAnimationFrame', (cb: () => void) => frames.push(cb));
  });
  afterEach(() => {
    // Let any chain still waiting for frames finish, so the next test starts from nothing scheduled.
    for (let i = 0; i < 3; i++) frame();
    vi.advanceTimersByTime(1000);
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('runs after the next frame has been drawn (a task queued from the frame after it), once', () => {
    const fn = vi.fn();
    afterNextPaint(fn, 100);
    vi.advanceTimersByTime(10);
    expect(fn).not.toHaveBeenCalled(); // no frame yet
    frame();
    vi.advanceTimersByTime(0);
    expect(fn).not.toHaveBeenCalled(); // the frame's main-thread part is done, its drawing is not
    frame();
    expect(fn).not.toHaveBeenCalled(); // not inside the next frame itself
    vi.advanceTimersByTime(0);
    expect(fn).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(200);
    expect(fn).toHaveBeenCalledTimes(1); // the fallback does not run it again
  });

  it('runs after maxWaitMs when no frame comes (hidden window), once', () => {
    const fn = vi.fn();
    afterNextPaint(fn, 100);
    vi.advanceTimersByTime(99);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledTimes(1);
    frame(); // late frames
    frame();
    vi.advanceTimersByTime(10);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('runs what was deferred in one frame in one go, in order, and asks for frames once', () => {
    const seen: number[] = [];
    for (const n of [1, 2, 3]) afterNextPaint(() => seen.push(n));
    expect(frames).toHaveLength(1);
    frame();
    frame();
    vi.advanceTimersByTime(0);
    expect(seen).toEqual([1, 2, 3]);
    // Later work asks for frames again.
    afterNextPaint(() => seen.push(4));
    expect(frames).toHaveLength(1);
    frame();
    frame();
    vi.advanceTimersByTime(0);
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it('one that throws does not stop the others; its error is still reported', () => {
    const seen: string[] = [];
    const errors: unknown[] = [];
    const queued = vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((cb) => {
      try {
        cb();
      } catch (e) {
        errors.push(e);
      }
    });
    afterNextPaint(() => seen.push('a'));
    afterNextPaint(() => {
      throw new Error('boom');
    });
    afterNextPaint(() => seen.push('c'));
    frame();
    frame();
    vi.advanceTimersByTime(0);
    queued.mockRestore();
    expect(seen).toEqual(['a', 'c']);
    expect(errors).toEqual([new Error('boom')]);
  });
});
