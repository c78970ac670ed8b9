// Retry delays for the sync pull and the live socket: exponential, capped, with "equal jitter" (between
// half and all of the step) so a fleet of desktops does not come back in lockstep after an outage.
// Pure: randomness is passed in.

export function backoffDelay(attempt: number, minMs: number, maxMs: number, random: () => number = Math.random): number {
  const step = Math.min(maxMs, minMs * 2 ** Math.min(Math.max(0, attempt), 30));
  return Math.round(step / 2 + (step / 2) * random());
}
