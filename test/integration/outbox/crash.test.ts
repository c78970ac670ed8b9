// The outbox under kill -9 and a failing network (support/crash-harness.ts): at least 100 SIGKILLs of a
// desktop that saves and delivers without pause, 20 % of the requests broken (errors, timeouts, lost
// answers, partial applies), checked against the backend's database: nothing lost, nothing applied
// twice. And the same harness catches a client without idempotency keys (the mutant), so it can fail.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCrashHarness } from './support/crash-harness';
import { tempDir } from '../support/temp-dir';

const dir = tempDir('lianluo-outbox-crash-');

describe('outbox crash harness', () => {
  it('loses nothing and applies nothing twice over 100 kill -9 with 20 % injected faults', async () => {
    const r = await runCrashHarness({ dir: join(dir, 'real'), kills: 100, faultRate: 0.2 });
    console.log(`crash harness: ${JSON.stringify(r)}`);
    expect(r.kills).toBeGreaterThanOrEqual(100);
    expect(r.saved).toBeGreaterThan(1000);
    expect(r.committed).toBeGreaterThanOrEqual(r.saved);
    expect(r.lost).toBe(0);
    expect(r.duplicated).toBe(0);
    expect(r.rejected).toBe(0);
    expect(r.applied).toBe(r.committed);
    // The faults really happened, of every kind.
    for (const kind of ['error', 'timeout', 'lostAck', 'partial'] as const) expect(r.faults[kind], kind).toBeGreaterThan(0);
  }, 400_000);

  it('catches duplicates when resent items get new keys (a client without idempotency keys)', async () => {
    const r = await runCrashHarness({ dir: join(dir, 'mutant'), kills: 8, faultRate: 0.2, mutant: 'rekey' });
    expect(r.duplicated).toBeGreaterThan(0);
  }, 120_000);
});
