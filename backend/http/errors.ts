// HTTP errors with a stable code and a message a person can act on (shared/sync/api.ts ApiError), and the
// one place where request input is checked against its zod schema.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { ApiErrorCode } from '../../shared/sync/api';

const STATUS: Record<ApiErrorCode, number> = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  reset_required: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  invalid_data: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
};

export class HttpError extends Error {
  readonly status: number;
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    /** Extra top-level fields of the body (e.g. the lines of a rejected import). */
    readonly extra: Record<string, unknown> = {},
    readonly issues?: string[],
  ) {
    super(message);
    this.name = 'HttpError';
    this.status = STATUS[code];
  }

  body(): Record<string, unknown> {
    const error: Record<string, unknown> = { code: this.code, message: this.message };
    if (this.issues) error.issues = this.issues;
    return { ...this.extra, error };
  }
}

export const badRequest = (message: string, issues?: string[]) => new HttpError('invalid_request', message, {}, issues);
export const unauthorized = (message = 'sign in first: no valid session token') => new HttpError('unauthorized', message);
export const forbidden = (message: string) => new HttpError('forbidden', message);
export const notFound = (message: string, extra: Record<string, unknown> = {}) => new HttpError('not_found', message, extra);
export const conflict = (message: string, extra: Record<string, unknown> = {}) => new HttpError('conflict', message, extra);

export function issuesOf(error: z.ZodError): string[] {
  return error.issues.slice(0, 20).map((i) => `${i.path.map(String).join('.') || 'value'}: ${i.message}`);
}

/** Validate one part of a request; a failure is a 400 that says what and where. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issues = issuesOf(r.error);
    throw badRequest(`invalid ${what}: ${issues.slice(0, 3).join('; ')}`, issues);
  }
  return r.data;
}

/** Fastify's own errors (bad JSON, wrong content type, body too large) in the same shape as ours. */
export function errorHandler(err: FastifyError | HttpError | Error, req: FastifyRequest, reply: FastifyReply): void {
  if (err instanceof HttpError) {
    void reply.code(err.status).send(err.body());
    return;
  }
  const fe = err as FastifyError;
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const code: ApiErrorCode =
      fe.statusCode === 413 ? 'payload_too_large' : fe.statusCode === 415 ? 'unsupported_media_type' : fe.statusCode === 404 ? 'not_found' : 'invalid_request';
    void reply.code(fe.statusCode === 404 || fe.statusCode === 413 || fe.statusCode === 415 ? fe.statusCode : 400).send({ error: { code, message: fe.message } });
    return;
  }
  req.log.error({ err }, 'request failed');
  void reply.code(500).send({ error: { code: 'internal', message: 'internal error; the details are in the backend log' } });
}
