// Closing the outbox (sign-out, quit) while its background refresh of the wrap-up settings and my
// callbacks is still waiting for the backend: the late answer must be dropped quietly, never read or
// write the closed file (CI once caught "The database connection is not open" as an unhandled rejection).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OutboxService } from '../../../electron/services/outbox/outbox-service';
import type { PushLink } from '../../../electron/services/outbox/pusher';
import { DEFAULT_NUMBER_PLAN } from '../../../shared/domain/defaults';
import { tempDir } from '../../integration/support/temp-dir';

const dir = tempDir('lianluo-outbox-close-');

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
});

describe('OutboxService.close', () => {
  it('drops a refresh answer that arrives after close, without touching the closed database', async () => {
    process.on('unhandledRejection', onUnhandled);
    const answers: Array<ReturnType<typeof deferred<Response>>> = [];
    const link: PushLink = {
      baseUrl: 'http://127.0.0.1:9',
      owner: 'test agent1',
      fetch: (url) => {
        const d = deferred<Response>();
        answers.push(d);
        if (url.endsWith('/v1/outbox')) return new Promise<Response>(() => {});
        return d.promise;
      },
      unauthorized: () => {},
    };
    const log = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const events = { emit: vi.fn() };
    const svc = new OutboxService({ dataDir: `${dir}/outbox.sqlite`, events, log, plan: () => DEFAULT_NUMBER_PLAN });
    svc.setLink(link);
    expect(answers.length).toBeGreaterThanOrEqual(2); // config and callbacks requested at once
    await svc.close();
    const callbacks = { followups: [], fetchedAt: Date.now() };
    for (const a of answers) a.resolve(new Response(JSON.stringify(callbacks), { status: 200, headers: { 'content-type': 'application/json' } }));
    await new Promise((r) => setTimeout(r, 50));
    expect(unhandled).toEqual([]);
    expect(events.emit).not.toHaveBeenCalledWith('outbox.callbacks', expect.anything());
  });

  it('answers a customer context asked just before close with a clear error', async () => {
    const answer = deferred<Response>();
    const link: PushLink = {
      baseUrl: 'http://127.0.0.1:9',
      owner: 'test agent2',
      fetch: (url) => (url.includes('/context') ? answer.promise : new Promise<Response>(() => {})),
      unauthorized: () => {},
    };
    const svc = new OutboxService({
      dataDir: `${dir}/outbox2.sqlite`,
      events: { emit: vi.fn() },
      log: { info: vi.fn(), warn: vi.fn(), error: vi.fn() },
      plan: () => DEFAULT_NUMBER_PLAN,
    });
    svc.setLink(link);
    const pending = svc.context('c-1');
    await svc.close();
    answer.resolve(new Response('{}', { status: 200 }));
    await expect(pending).rejects.toThrow(/closed/);
  });
});
