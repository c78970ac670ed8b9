// Latency marks for the benchmarks and for diagnostics: "INVITE bytes on the WebSocket → this painted",
// recorded once per call as a performance.measure.
//
// "Painted" is the Element Timing API's renderTime: the time of the frame in which the marked element was
// first drawn, as Chromium reports it. The element is the first one carrying `data-paint-mark` inside the
// container (the customer's name, the picker's or new-customer card's heading, the call's heading); the
// hook gives it an `elementtiming` identifier before that first paint. Where Element Timing is missing (or
// the element was already drawn, so no entry comes), the end is a task posted from requestAnimationFrame,
// which runs after that frame's main-thread paint work but can queue behind other tasks of that moment.
import { useLayoutEffect, useRef, type RefObject } from 'react';

export const POP_PAINT_MEASURE = 'lianluo.pop.paint';
export const RING_PAINT_MEASURE = 'lianluo.ring.paint';
/** Element marked as the one whose first paint counts. */
export const PAINT_MARK_ATTR = 'data-paint-mark';

interface Pending {
  name: string;
  callId: string;
  start: number;
  /** End by the frame-task method, once known (the fallback). */
  frameEnd?: number;
  timer?: ReturnType<typeof setTimeout>;
}

/** How long to wait for an Element Timing entry once the frame has been produced. */
const ELEMENT_WAIT_MS = 1000;

const pending = new Map<string, Pending>();
let observer: PerformanceObserver | null | undefined;

interface ElementTimingEntry extends PerformanceEntry {
  identifier: string;
  renderTime: number;
  loadTime: number;
}

function record(p: Pending, end: number, via: 'element' | 'frame'): void {
  clearTimeout(p.timer);
  performance.measure(p.name, { start: p.start, end, detail: { callId: p.callId, via, frameEnd: p.frameEnd } });
}

function elementObserver(): PerformanceObserver | null {
  if (observer !== undefined) return observer;
  observer = null;
  if (typeof PerformanceObserver === 'undefined' || !PerformanceObserver.supportedEntryTypes?.includes('element')) return observer;
  observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries() as ElementTimingEntry[]) {
      const p = pending.get(e.identifier);
      if (!p) continue;
      pending.delete(e.identifier);
      record(p, e.renderTime || e.startTime, 'element');
    }
  });
  observer.observe({ type: 'element', buffered: true });
  return observer;
}

/** Runs `then(t)` with the time at which the next frame's main-thread work was done. */
function afterFrame(then: (t: number) => void): void {
  requestAnimationFrame(() => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      then(performance.now());
    };
    ch.port2.postMessage(0);
  });
}

export function usePaintMark(name: string, callId: string | undefined, inviteAt: number | undefined, ready: boolean, container: RefObject<HTMLElement | null>): void {
  const marked = useRef(new Set<string>());
  useLayoutEffect(() => {
    if (!callId || inviteAt === undefined || !ready || marked.current.has(callId)) return;
    marked.current.add(callId);
    const p: Pending = { name, callId, start: inviteAt };
    const id = `${name}:${callId}`;
    const el = container.current?.querySelector(`[${PAINT_MARK_ATTR}]`);
    const byElement = !!el && !!elementObserver();
    if (byElement) {
      el.setAttribute('elementtiming', id);
      pending.set(id, p);
    }
    afterFrame((t) => {
      p.frameEnd = t;
      if (!byElement) return record(p, t, 'frame');
      // No entry (already painted, or not drawn at all): fall back to the frame's time, never to nothing.
      p.timer = setTimeout(() => {
        if (pending.get(id) !== p) return;
        pending.delete(id);
        record(p, t, 'frame');
      }, ELEMENT_WAIT_MS);
    });
  }, [name, callId, inviteAt, ready, container]);
}
