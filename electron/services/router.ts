// One transport-agnostic router for every IPC request. Whether the request came over Electron's ipcMain
// (electron/ipc.ts) or the web host's WebSocket (electron/webhost.ts), it is checked here: the channel
// must be in the contract, the payload must pass the channel's schema, the handler's answer must pass
// the response schema. Handlers never see unvalidated input; callers never see a thrown exception.
import type { z } from 'zod';
import { CHANNELS, EVENTS, type Channel, type EventName } from '../../shared/ipc-channels';
import { contract, events, type EventPayload, type Response } from '../../shared/ipc';
import { AppError, fail, ok, type WireResult } from '../../shared/result';

export interface CallContext {
  transport: 'electron' | 'web';
}

export type Handlers = {
  [C in Channel]: (request: z.output<(typeof contract)[C]['request']>, ctx: CallContext) => Promise<Response<C>> | Response<C>;
};

export interface Logger {
  info(msg: string, extra?: unknown): void;
  warn(msg: string, extra?: unknown): void;
  error(msg: string, extra?: unknown): void;
}

const MAX_ISSUES = 10;

function describeIssues(error: z.ZodError): string[] {
  return error.issues.slice(0, MAX_ISSUES).map((i) => `${i.path.length ? i.path.join('.') : '(payload)'}: ${i.message}`);
}

export interface Router {
  handle(channel: unknown, payload: unknown, ctx: CallContext): Promise<WireResult<unknown>>;
}

export function createRouter(handlers: Handlers, log: Logger): Router {
  const known = new Set<string>(CHANNELS);
  return {
    async handle(channel, payload, ctx) {
      if (typeof channel !== 'string' || !known.has(channel)) {
        return fail('unknown_channel', `unknown IPC method ${JSON.stringify(String(channel).slice(0, 64))}`);
      }
      const c = channel as Channel;
      const spec = contract[c];
      const parsed = spec.request.safeParse(payload);
      if (!parsed.success) {
        return fail('invalid_request', `invalid request for ${c}`, describeIssues(parsed.error));
      }
      let value: unknown;
      try {
        value = await (handlers[c] as (r: unknown, ctx: CallContext) => unknown)(parsed.data, ctx);
      } catch (e) {
        if (e instanceof AppError) return fail(e.code, e.message);
        log.error(`${c} failed`, e);
        return fail('internal', `${c} failed: ${e instanceof Error ? e.message : String(e)}`);
      }
      const out = spec.response.safeParse(value);
      if (!out.success) {
        log.error(`${c} returned a response outside the contract`, describeIssues(out.error));
        return fail('internal', `${c} produced an invalid response`);
      }
      return ok(out.data);
    },
  };
}

/** Main → renderer events, validated before they leave, fanned out to every transport that listens. */
export class EventHub {
  private readonly listeners = new Set<(event: EventName, payload: unknown) => void>();

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    if (!(EVENTS as readonly string[]).includes(event)) throw new Error(`unknown event ${event}`);
    const checked = events[event].parse(payload);
    for (const l of this.listeners) l(event, checked);
  }

  listen(listener: (event: EventName, payload: unknown) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export const consoleLogger: Logger = {
  info: (m, x) => console.log(`[lianluo] ${m}`, ...(x === undefined ? [] : [x])),
  warn: (m, x) => console.warn(`[lianluo] ${m}`, ...(x === undefined ? [] : [x])),
  error: (m, x) => console.error(`[lianluo] ${m}`, ...(x === undefined ? [] : [x])),
};
