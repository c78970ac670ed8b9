// What crosses a process boundary: a result, never a thrown exception (Signal's wrapResult idea).
// Error codes are stable strings the UI translates; `message` is for logs and admins.

export const ERROR_CODES = [
  'invalid_request', // the payload failed the contract's schema
  'unknown_channel', // no such IPC method
  'forbidden', // the sender is not the app's own frame / token
  'not_found',
  'conflict',
  'unavailable', // a dependency (database, backend) cannot answer now
  'internal', // a bug: logged with details in the main process
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface WireError {
  code: ErrorCode;
  message: string;
  /** For invalid_request: where the payload was wrong, e.g. ["ani: Too big: expected string to have <=256 characters"]. */
  issues?: string[];
}

export type WireResult<T> = { ok: true; value: T } | { ok: false; error: WireError };

export const ok = <T>(value: T): WireResult<T> => ({ ok: true, value });
export const fail = (code: ErrorCode, message: string, issues?: string[]): WireResult<never> => ({
  ok: false,
  error: issues ? { code, message, issues } : { code, message },
});

/** Thrown inside services for expected failures; the router turns it into a WireError with the same code. */
export class AppError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'AppError';
    this.code = code;
  }
}
