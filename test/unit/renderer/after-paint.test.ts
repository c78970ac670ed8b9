// afterNextPaint: after the next frame when frames come, after maxWaitMs when they do not (a hidden
// window), and exactly once either way.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { afterNextPaint } from '../../../renderer/lib/after-paint';

describe('afterNextPaint', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('runs after the next frame (a task queued from its callback), once', () => {
    vi.useFakeTimers();
    const frames: (() => void)[] = [];
    vi.stubGlobal('requestAnimationFrame', (cb: () => void) => frames.push(cb));
    const fn = vi.fn();
    afterNextPaint(fn, 100);
    vi.advanceTimersByTime(10);
    expect(fn).not.toHaveBeenCalled(); // no frame yet
    frames.shift()?.();
    expect(fn).not.toHaveBeenCalled(); // not inside the frame itself
    vi.advanceTimersByTime(0);
    expect(fn).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(200);
    expect(fn).toHaveBeenCalledTimes(1); // the fallback does not run it again
  });

  it('runs after maxWaitMs when no frame comes (hidden window), once', () => {
    vi.useFakeTimers();
    const frames: (() => void)[] = [];
    vi.stubGlobal('requestAnimationFrame', (cb: () => void) => frames.push(cb));
    const fn = vi.fn();
    afterNextPaint(fn, 100);
    vi.advanceTimersByTime(99);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledTimes(1);
    frames.shift()?.(); // a late frame
    vi.advanceTimersByTime(10);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('keeps the order of what was deferred', () => {
    vi.useFakeTimers();
    const frames: (() => void)[] = [];
    vi.stubGlobal('requestAnimationFrame', (cb: () => void) => frames.push(cb));
    const seen: number[] = [];
    for (const n of [1, 2, 3]) afterNextPaint(() => seen.push(n));
    for (const f of frames.splice(0)) f();
    vi.advanceTimersByTime(0);
    expect(seen).toEqual([1, 2, 3]);
  });
});
