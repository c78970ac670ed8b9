// Request and response payloads of the backend's REST API (/v1/…), shared by the server that validates
// them and the desktop that sends them. Errors always come as ApiError with a stable code and a message.
import { z } from 'zod';
import { CustomerId } from '../domain/customer';
import { SipAccount } from '../domain/settings';
import { SyncCustomer } from './protocol';

export const API_ERROR_CODES = [
  'invalid_request', // 400: the payload, a parameter or a CSV line failed validation (see issues / lines)
  'unauthorized', // 401: no token, an unknown, expired or revoked one, or a wrong password at login
  'forbidden', // 403: the role or team does not allow it
  'not_found', // 404
  'conflict', // 409: the state does not allow it (an existing id, a merged customer, a team with members)
  'reset_required', // 410: the sync cursor cannot be continued (see protocol.ts ResetRequired)
  'payload_too_large', // 413
  'unsupported_media_type', // 415
  'invalid_data', // 422: a CSV import with bad lines; nothing was imported
  'rate_limited', // 429
  'internal', // 500: logged on the server with details
  'unavailable', // 503: the database cannot answer now
] as const;
export const ApiErrorCode = z.enum(API_ERROR_CODES);
export type ApiErrorCode = z.infer<typeof ApiErrorCode>;

export const ApiError = z.object({
  error: z.object({
    code: ApiErrorCode,
    message: z.string(),
    /** For invalid_request: where the payload was wrong, e.g. ["password: Too small …"]. */
    issues: z.array(z.string()).optional(),
  }),
});
export type ApiError = z.infer<typeof ApiError>;

// ── accounts ─────────────────────────────────────────────────────────────────────────────────────
export const ROLES = ['agent', 'supervisor', 'admin'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

export const EntityId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
/** An id in a URL path. */
export const EntityIdParam = z
  .string()
  .regex(/^[1-9]\d{0,15}$/, 'must be a positive integer')
  .transform(Number)
  .refine((n) => Number.isSafeInteger(n), 'is too large');

export const Username = z
  .string()
  .trim()
  .min(2)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]*$/, 'letters, digits and . _ @ - only, starting with a letter or digit');
export const DisplayName = z.string().trim().min(1).max(80);
/** A password someone chooses. Login accepts any string, so an old policy never locks anyone out. */
export const NewPassword = z.string().min(10, 'must be at least 10 characters').max(256);

export const Team = z.object({ id: EntityId, name: z.string(), createdAt: z.number().int() });
export type Team = z.infer<typeof Team>;

export const User = z.object({
  id: EntityId,
  username: z.string(),
  displayName: z.string(),
  role: Role,
  teamId: EntityId.nullable(),
  disabled: z.boolean(),
  hasSip: z.boolean(),
  createdAt: z.number().int(),
});
export type User = z.infer<typeof User>;

/** The SIP account of a user with its password: given only to that user (login, GET /v1/auth/sip). */
export const SipSettings = SipAccount.extend({ password: z.string().max(256) });
export type SipSettings = z.infer<typeof SipSettings>;

export const LoginRequest = z.object({ username: z.string().trim().min(1).max(64), password: z.string().min(1).max(1024) }).strict();
export type LoginRequest = z.infer<typeof LoginRequest>;

export const Session = z.object({
  /** Bearer token for `Authorization: Bearer …` (HTTP and the live socket). Shown once; the server keeps only its hash. */
  token: z.string(),
  expiresAt: z.number().int(),
  user: User,
  team: Team.nullable(),
  sip: SipSettings.nullable(),
});
export type Session = z.infer<typeof Session>;

export const Me = z.object({ user: User, team: Team.nullable(), expiresAt: z.number().int() });
export type Me = z.infer<typeof Me>;

export const ChangeOwnPassword = z.object({ current: z.string().min(1).max(1024), next: NewPassword }).strict();

export const CreateUser = z
  .object({
    username: Username,
    displayName: DisplayName,
    role: Role,
    teamId: EntityId.nullable().default(null),
    password: NewPassword,
    sip: SipSettings.optional(),
  })
  .strict();
export type CreateUser = z.input<typeof CreateUser>;

export const UpdateUser = z
  .object({ displayName: DisplayName, role: Role, teamId: EntityId.nullable(), disabled: z.boolean() })
  .partial()
  .strict()
  .refine((u) => Object.keys(u).length > 0, 'nothing to change');
export type UpdateUser = z.input<typeof UpdateUser>;

export const SetPassword = z.object({ password: NewPassword }).strict();

export const TeamName = z.string().trim().min(1).max(80);
export const CreateTeam = z.object({ name: TeamName }).strict();
export const UpdateTeam = z.object({ name: TeamName }).strict();

// ── customers ───────────────────────────────────────────────────────────────────────────────────
/** What GET /v1/customers/:id and every customer write answer. */
export const CustomerResponse = z.object({ customer: SyncCustomer, seq: z.number().int() });
export type CustomerResponse = z.infer<typeof CustomerResponse>;

export const MergeRequest = z.object({ into: CustomerId }).strict();
export const MergeResponse = z.object({ merged: CustomerId, into: CustomerResponse });

export const ImportLineError = z.object({ line: z.number().int(), id: z.string().optional(), errors: z.array(z.string()) });
export type ImportLineError = z.infer<typeof ImportLineError>;

export const ImportResult = z.object({ rows: z.number().int(), created: z.number().int(), updated: z.number().int(), seq: z.number().int() });
export type ImportResult = z.infer<typeof ImportResult>;

/** 422 body of a rejected import: the first MAX_REPORTED_LINE_ERRORS lines with errors, and how many there were. */
export const ImportRejected = ApiError.extend({ lines: z.array(ImportLineError), errorLines: z.number().int() });
export type ImportRejected = z.infer<typeof ImportRejected>;
export const MAX_REPORTED_LINE_ERRORS = 1000;

export const Health = z.object({ ok: z.boolean(), protocol: z.number().int(), schema: z.number().int(), database: z.enum(['postgres', 'pglite']) });
