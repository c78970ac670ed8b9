// Users, teams, SIP accounts and sessions: plain functions of (db, args). Routes decide who may call them.
import type { CreateUser, Role, SipSettings, Team, UpdateUser, User } from '../../shared/sync/api';
import { FOREIGN_KEY_VIOLATION, UNIQUE_VIOLATION, sqlState, type Db, type Queryable } from '../db/db';
import { notifyEvent } from '../db/changes';
import { conflict, HttpError, notFound } from '../http/errors';
import { burnPasswordCheck, hashPassword, verifyPassword, type ScryptCost } from './passwords';
import type { SecretBox } from './secret-box';
import { hashToken, newToken } from './tokens';

export interface AccountsConfig {
  box: SecretBox;
  cost: ScryptCost;
  sessionTtlMs: number;
}

/** Who is asking: loaded from the database on every request, so role and team changes apply at once. */
export interface Principal {
  userId: number;
  username: string;
  displayName: string;
  role: Role;
  teamId: number | null;
  tokenHash: string;
  expiresAt: number;
}

interface UserRow {
  id: number;
  username: string;
  display_name: string;
  role: Role;
  team_id: number | null;
  disabled: boolean;
  has_sip: boolean;
  created_at: number;
}

const USER_COLUMNS = `u.id, u.username, u.display_name, u.role, u.team_id, u.disabled, (s.user_id IS NOT NULL) AS has_sip, u.created_at`;
const USER_FROM = `users u LEFT JOIN sip_accounts s ON s.user_id = u.id`;

const toUser = (r: UserRow): User => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  role: r.role,
  teamId: r.team_id,
  disabled: r.disabled,
  hasSip: r.has_sip,
  createdAt: r.created_at,
});

const toTeam = (r: { id: number; name: string; created_at: number }): Team => ({ id: r.id, name: r.name, createdAt: r.created_at });

// ── teams ─────────────────────────────────────────────────────────────────────────────────────────
export async function createTeam(db: Queryable, name: string): Promise<Team> {
  try {
    const [row] = await db.query<{ id: number; name: string; created_at: number }>('INSERT INTO teams (name, created_at) VALUES ($1, $2) RETURNING id, name, created_at', [name, Date.now()]);
    return toTeam(row!);
  } catch (err) {
    if (sqlState(err) === UNIQUE_VIOLATION) throw conflict(`a team named "${name}" already exists`);
    throw err;
  }
}

export async function listTeams(db: Queryable, onlyId?: number | null): Promise<Team[]> {
  if (onlyId === null) return [];
  const rows =
    onlyId === undefined
      ? await db.query<{ id: number; name: string; created_at: number }>('SELECT id, name, created_at FROM teams ORDER BY id')
      : await db.query<{ id: number; name: string; created_at: number }>('SELECT id, name, created_at FROM teams WHERE id = $1', [onlyId]);
  return rows.map(toTeam);
}

export async function getTeam(db: Queryable, id: number): Promise<Team> {
  const [row] = await db.query<{ id: number; name: string; created_at: number }>('SELECT id, name, created_at FROM teams WHERE id = $1', [id]);
  if (!row) throw notFound(`team ${id} does not exist`);
  return toTeam(row);
}

export async function renameTeam(db: Queryable, id: number, name: string): Promise<Team> {
  try {
    const [row] = await db.query<{ id: number; name: string; created_at: number }>('UPDATE teams SET name = $2 WHERE id = $1 RETURNING id, name, created_at', [id, name]);
    if (!row) throw notFound(`team ${id} does not exist`);
    return toTeam(row);
  } catch (err) {
    if (sqlState(err) === UNIQUE_VIOLATION) throw conflict(`a team named "${name}" already exists`);
    throw err;
  }
}

export async function deleteTeam(db: Queryable, id: number): Promise<void> {
  try {
    const rows = await db.query('DELETE FROM teams WHERE id = $1 RETURNING id', [id]);
    if (!rows.length) throw notFound(`team ${id} does not exist`);
  } catch (err) {
    if (sqlState(err) === FOREIGN_KEY_VIOLATION) throw conflict(`team ${id} still has members: move or delete them first`);
    throw err;
  }
}

// ── users ─────────────────────────────────────────────────────────────────────────────────────────
export async function getUser(db: Queryable, id: number): Promise<User> {
  const [row] = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM ${USER_FROM} WHERE u.id = $1`, [id]);
  if (!row) throw notFound(`user ${id} does not exist`);
  return toUser(row);
}

export async function listUsers(db: Queryable, teamId?: number): Promise<User[]> {
  const rows =
    teamId === undefined
      ? await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM ${USER_FROM} ORDER BY u.id`)
      : await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM ${USER_FROM} WHERE u.team_id = $1 ORDER BY u.id`, [teamId]);
  return rows.map(toUser);
}

function userWriteError(err: unknown, username?: string): never {
  if (sqlState(err) === UNIQUE_VIOLATION && username !== undefined) throw conflict(`the username "${username}" is taken`);
  if (sqlState(err) === FOREIGN_KEY_VIOLATION) throw new HttpError('invalid_request', 'teamId: no such team');
  throw err;
}

export async function createUser(db: Db, cfg: AccountsConfig, input: Omit<CreateUser, 'teamId'> & { teamId: number | null }): Promise<User> {
  const hash = await hashPassword(input.password, cfg.cost);
  const now = Date.now();
  const id = await db
    .transaction(async (tx) => {
      const [row] = await tx.query<{ id: number }>(
        'INSERT INTO users (username, display_name, role, team_id, password_hash, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id',
        [input.username, input.displayName, input.role, input.teamId, hash, now],
      );
      if (input.sip) await writeSip(tx, cfg.box, row!.id, input.sip);
      return row!.id;
    })
    .catch((err: unknown) => userWriteError(err, input.username));
  return getUser(db, id);
}

/** Refuse changes that would leave nobody able to administer the system. */
async function assertAnotherAdmin(db: Queryable, userId: number, what: string): Promise<void> {
  const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND NOT disabled AND id <> $1`, [userId]);
  if ((row?.n ?? 0) === 0) throw conflict(`${what} would leave no active admin`);
}

export async function updateUser(db: Db, id: number, patch: UpdateUser): Promise<User> {
  const before = await getUser(db, id);
  if (before.role === 'admin' && !before.disabled && ((patch.role !== undefined && patch.role !== 'admin') || patch.disabled === true)) {
    await assertAnotherAdmin(db, id, patch.disabled ? 'disabling this user' : 'changing this role');
  }
  const sets: string[] = [];
  const params: unknown[] = [id];
  const set = (col: string, v: unknown) => {
    params.push(v);
    sets.push(`${col} = $${params.length}`);
  };
  if (patch.displayName !== undefined) set('display_name', patch.displayName);
  if (patch.role !== undefined) set('role', patch.role);
  if (patch.teamId !== undefined) set('team_id', patch.teamId);
  if (patch.disabled !== undefined) set('disabled', patch.disabled);
  set('updated_at', Date.now());
  await db.query(`UPDATE users SET ${sets.join(', ')} WHERE id = $1`, params).catch((err: unknown) => userWriteError(err));
  if (patch.disabled === true && !before.disabled) await revokeUserSessions(db, id);
  // Their live sockets hold their role and team: have them read again (presence goes by team).
  else if ((patch.role !== undefined && patch.role !== before.role) || (patch.teamId !== undefined && patch.teamId !== before.teamId)) {
    await notifyEvent(db, { type: 'user.changed', userId: id });
  }
  return getUser(db, id);
}

export async function deleteUser(db: Db, id: number): Promise<void> {
  const user = await getUser(db, id);
  if (user.role === 'admin' && !user.disabled) await assertAnotherAdmin(db, id, 'deleting this user');
  await revokeUserSessions(db, id);
  await db.query('UPDATE imports SET user_id = NULL WHERE user_id = $1', [id]);
  await db.query('DELETE FROM users WHERE id = $1', [id]);
}

export async function setPassword(db: Db, cfg: AccountsConfig, id: number, password: string, keepTokenHash?: string): Promise<void> {
  const hash = await hashPassword(password, cfg.cost);
  const rows = await db.query('UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1 RETURNING id', [id, hash, Date.now()]);
  if (!rows.length) throw notFound(`user ${id} does not exist`);
  await revokeUserSessions(db, id, keepTokenHash);
}

export async function changeOwnPassword(db: Db, cfg: AccountsConfig, p: Principal, current: string, next: string): Promise<void> {
  const [row] = await db.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = $1', [p.userId]);
  if (!row || !(await verifyPassword(current, row.password_hash, cfg.cost)).ok) throw new HttpError('forbidden', 'the current password is wrong');
  await setPassword(db, cfg, p.userId, next, p.tokenHash);
}

// ── SIP accounts ──────────────────────────────────────────────────────────────────────────────────
const sipContext = (userId: number) => `lianluo.sip-password.user:${userId}`;

async function writeSip(db: Queryable, box: SecretBox, userId: number, sip: SipSettings): Promise<void> {
  await db.query(
    `INSERT INTO sip_accounts (user_id, ws_url, sip_uri, auth_user, display_name, password_box, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (user_id) DO UPDATE SET ws_url = EXCLUDED.ws_url, sip_uri = EXCLUDED.sip_uri, auth_user = EXCLUDED.auth_user,
       display_name = EXCLUDED.display_name, password_box = EXCLUDED.password_box, updated_at = EXCLUDED.updated_at`,
    [userId, sip.wsUrl, sip.sipUri, sip.authUser, sip.displayName, box.seal(sip.password, sipContext(userId)), Date.now()],
  );
}

export async function setSip(db: Queryable, box: SecretBox, userId: number, sip: SipSettings): Promise<void> {
  await writeSip(db, box, userId, sip).catch((err: unknown) => {
    if (sqlState(err) === FOREIGN_KEY_VIOLATION) throw notFound(`user ${userId} does not exist`);
    throw err;
  });
}

export async function deleteSip(db: Queryable, userId: number): Promise<void> {
  await getUser(db, userId);
  await db.query('DELETE FROM sip_accounts WHERE user_id = $1', [userId]);
}

export async function getSip(db: Queryable, box: SecretBox, userId: number): Promise<SipSettings | null> {
  const [row] = await db.query<{ ws_url: string; sip_uri: string; auth_user: string; display_name: string; password_box: string }>(
    'SELECT ws_url, sip_uri, auth_user, display_name, password_box FROM sip_accounts WHERE user_id = $1',
    [userId],
  );
  if (!row) return null;
  let password: string;
  try {
    password = box.open(row.password_box, sipContext(userId));
  } catch {
    throw new HttpError('internal', 'the stored SIP password cannot be decrypted with this server key (was LIANLUO_BACKEND_KEY changed?); an admin must set it again');
  }
  return { wsUrl: row.ws_url, sipUri: row.sip_uri, authUser: row.auth_user, displayName: row.display_name, password };
}

// ── sessions ──────────────────────────────────────────────────────────────────────────────────────
export interface LoginOk {
  token: string;
  expiresAt: number;
  user: User;
}

/** null: unknown user, wrong password or disabled account (the caller answers the same 401 for all three). */
export async function login(db: Db, cfg: AccountsConfig, username: string, password: string, userAgent: string): Promise<LoginOk | null> {
  const [row] = await db.query<{ id: number; password_hash: string; disabled: boolean }>('SELECT id, password_hash, disabled FROM users WHERE lower(username) = lower($1)', [username]);
  if (!row) {
    await burnPasswordCheck(password, cfg.cost);
    return null;
  }
  const verdict = await verifyPassword(password, row.password_hash, cfg.cost);
  if (!verdict.ok || row.disabled) return null;
  if (verdict.rehash) await db.query('UPDATE users SET password_hash = $2 WHERE id = $1', [row.id, await hashPassword(password, cfg.cost)]);
  const { token, hash } = newToken();
  const now = Date.now();
  const expiresAt = now + cfg.sessionTtlMs;
  await db.query('INSERT INTO sessions (token_hash, user_id, created_at, expires_at, user_agent) VALUES ($1, $2, $3, $4, $5)', [hash, row.id, now, expiresAt, userAgent.slice(0, 200)]);
  // Housekeeping: sessions that ended a week ago are of no use to anyone.
  await db.query('DELETE FROM sessions WHERE expires_at < $1 OR revoked_at < $1', [now - 7 * 86_400_000]);
  return { token, expiresAt, user: await getUser(db, row.id) };
}

export async function authenticate(db: Queryable, token: string): Promise<Principal | null> {
  return principalOf(db, hashToken(token));
}

/**
 * Who a session stands for now (role and team as they are now), or null once it was revoked, expired or
 * its user disabled. Routes authenticate on every request; the live socket asks this on every heartbeat
 * and when its user changes, so what it forwards follows a move or a change of role.
 */
export async function principalOf(db: Queryable, tokenHash: string): Promise<Principal | null> {
  const [row] = await db.query<{ id: number; username: string; display_name: string; role: Role; team_id: number | null; expires_at: number }>(
    `SELECT u.id, u.username, u.display_name, u.role, u.team_id, s.expires_at
       FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND NOT u.disabled`,
    [tokenHash, Date.now()],
  );
  if (!row) return null;
  return { userId: row.id, username: row.username, displayName: row.display_name, role: row.role, teamId: row.team_id, tokenHash, expiresAt: row.expires_at };
}

export async function revokeSession(db: Queryable, p: Principal): Promise<void> {
  await db.query('UPDATE sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL', [p.tokenHash, Date.now()]);
  await notifyEvent(db, { type: 'sessions.revoked', userId: p.userId, tokenHash: p.tokenHash });
}

export async function revokeUserSessions(db: Queryable, userId: number, keepTokenHash?: string): Promise<number> {
  const rows = await db.query('UPDATE sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL AND token_hash <> $3 RETURNING 1', [userId, Date.now(), keepTokenHash ?? '']);
  await notifyEvent(db, { type: 'sessions.revoked', userId });
  return rows.length;
}
