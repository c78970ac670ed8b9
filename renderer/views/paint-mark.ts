// Latency marks for the benchmarks and for diagnostics: "INVITE bytes on the WebSocket → this painted",
// recorded once per call as a performance.measure. A task posted from requestAnimationFrame runs after
// that frame's paint, so the end time is when the agent could first see it.
import { useLayoutEffect, useRef } from 'react';

export const POP_PAINT_MEASURE = 'lianluo.pop.paint';
export const RING_PAINT_MEASURE = 'lianluo.ring.paint';

export function usePaintMark(name: string, callId: string | undefined, inviteAt: number | undefined, ready: boolean): void {
  const marked = useRef(new Set<string>());
  useLayoutEffect(() => {
    if (!callId || inviteAt === undefined || !ready || marked.current.has(callId)) return;
    marked.current.add(callId);
    requestAnimationFrame(() => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => {
        performance.measure(name, { start: inviteAt, end: performance.now(), detail: { callId } });
        ch.port1.close();
      };
      ch.port2.postMessage(0);
    });
  }, [name, callId, inviteAt, ready]);
}
