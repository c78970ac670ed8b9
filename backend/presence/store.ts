// Presence and Not Ready reasons as plain functions of (db, args); routes decide who may call them, the
// tracker (./tracker.ts) decides when an agent is Offline. Every change of a row is announced on the
// events channel in the same transaction, so every backend instance tells its team leads.
import type { AgentPresence, NotReadyReason } from '../../shared/domain/agent-state';
import type { MemberPresence, ReasonsAnswer, TeamPresence } from '../../shared/presence/api';
import type { Role } from '../../shared/sync/api';
import { notifyEvent } from '../db/changes';
import type { Db, Queryable } from '../db/db';
import { badRequest, notFound } from '../http/errors';

interface ReasonRow {
  team_id: number | null;
  id: string;
  label_en: string;
  label_zh: string;
  automatic: boolean;
  active: boolean;
}

const toReason = (r: ReasonRow): NotReadyReason => ({ id: r.id, label: { en: r.label_en, 'zh-CN': r.label_zh }, ...(r.automatic ? { automatic: true } : {}) });

/** The active reasons of a team: its own list when it has one, else the global list. */
export async function teamReasons(db: Queryable, teamId: number | null): Promise<ReasonsAnswer> {
  const rows = await db.query<ReasonRow>(
    `SELECT team_id, id, label_en, label_zh, automatic, active FROM presence_reasons
      WHERE active AND (team_id IS NULL OR team_id = $1) ORDER BY team_id NULLS LAST, position, id`,
    [teamId ?? 0],
  );
  const own = rows.filter((r) => r.team_id !== null);
  const used = own.length ? own : rows.filter((r) => r.team_id === null);
  return { reasons: used.map(toReason), scope: own.length ? 'team' : 'global', fetchedAt: Date.now() };
}

/**
 * Replace a list (teamId null: the global one). Reasons missing from the new list stay, deactivated, so
 * states reported with them keep their labels. An empty team list gives the team the global list back.
 */
export async function replaceReasons(db: Db, teamId: number | null, list: readonly NotReadyReason[]): Promise<ReasonsAnswer> {
  if (teamId === null && list.length === 0) throw badRequest('the global list of Not Ready reasons cannot be empty');
  return db.transaction(async (tx) => {
    if (teamId !== null) {
      const [team] = await tx.query('SELECT id FROM teams WHERE id = $1', [teamId]);
      if (!team) throw notFound(`team ${teamId} does not exist`);
    }
    await tx.query('UPDATE presence_reasons SET active = false, position = position + 100000 WHERE coalesce(team_id, 0) = $1', [teamId ?? 0]);
    if (list.length) {
      await tx.query(
        `INSERT INTO presence_reasons (team_id, id, label_en, label_zh, automatic, active, position)
         SELECT $1, t.id, t.en, t.zh, t.auto, true, t.ord
           FROM unnest($2::text[], $3::text[], $4::text[], $5::boolean[]) WITH ORDINALITY AS t(id, en, zh, auto, ord)
         ON CONFLICT ((coalesce(team_id, 0)), id) DO UPDATE SET label_en = EXCLUDED.label_en, label_zh = EXCLUDED.label_zh,
           automatic = EXCLUDED.automatic, active = true, position = EXCLUDED.position`,
        [teamId, list.map((r) => r.id), list.map((r) => r.label.en), list.map((r) => r.label['zh-CN']), list.map((r) => r.automatic === true)],
      );
    }
    return teamReasons(tx, teamId);
  });
}

interface MemberRow {
  user_id: number;
  username: string;
  display_name: string;
  role: Role;
  team_id: number | null;
  state: AgentPresence['state'] | null;
  reason_id: string | null;
  since: number | null;
  wrap_up_until: number | null;
}

const toMember = (r: MemberRow): MemberPresence => ({
  userId: r.user_id,
  username: r.username,
  displayName: r.display_name,
  role: r.role,
  presence: r.state === null || r.since === null ? null : { state: r.state, reasonId: r.reason_id, since: r.since, wrapUpUntil: r.wrap_up_until },
});

const MEMBER_COLUMNS = `u.id AS user_id, u.username, u.display_name, u.role, u.team_id, p.state, p.reason_id, p.since, p.wrap_up_until`;

/** A presence changed: tell every instance (their hubs forward it to the team's leads and the admins). */
async function announce(db: Queryable, r: MemberRow): Promise<void> {
  await notifyEvent(db, { type: 'presence', teamId: r.team_id, member: toMember(r), serverTime: Date.now() });
}

/** How far a desktop's clock may be off before its report is refused rather than corrected. */
const MAX_SKEW_MS = 24 * 3_600_000;

/**
 * Store what a desktop reports. Times are moved onto the server's clock (the report carries the desktop's
 * clock at sending); a state that began "in the future" begins now. The reason must be one of the
 * team's active reasons; states other than Not Ready carry none.
 */
export async function reportPresence(db: Db, user: { userId: number; teamId: number | null }, p: AgentPresence, sentAt: number): Promise<AgentPresence> {
  const now = Date.now();
  const offset = now - sentAt;
  if (Math.abs(offset) > MAX_SKEW_MS) throw badRequest(`sentAt is ${Math.round(offset / 3_600_000)} h away from the server's clock: check the computer's date and time`);
  if (p.state === 'not_ready') {
    if (p.reasonId === null) throw badRequest('reasonId: Not Ready needs a reason');
    const { reasons } = await teamReasons(db, user.teamId);
    if (!reasons.some((r) => r.id === p.reasonId)) {
      throw badRequest(`reasonId: "${p.reasonId}" is not one of your team's Not Ready reasons (${reasons.map((r) => r.id).join(', ')})`);
    }
  } else if (p.reasonId !== null) {
    throw badRequest(`reasonId: only Not Ready carries a reason (state ${p.state})`);
  }
  if (p.state !== 'wrap_up' && p.wrapUpUntil !== null) throw badRequest(`wrapUpUntil: only wrap-up has an end (state ${p.state})`);
  const since = Math.min(now, p.since + offset);
  const wrapUpUntil = p.wrapUpUntil === null ? null : p.wrapUpUntil + offset;
  return db.transaction(async (tx) => {
    const [prev] = await tx.query<{ state: string; reason_id: string | null; since: number; wrap_up_until: number | null }>(
      'SELECT state, reason_id, since, wrap_up_until FROM agent_presence WHERE user_id = $1 FOR UPDATE',
      [user.userId],
    );
    // A resend of the same state (after a reconnect) keeps the stored start: clock offsets measured at
    // different moments differ by a few milliseconds, and the time in state must not jump.
    const same = prev && prev.state === p.state && prev.reason_id === p.reasonId && Math.abs(prev.since - since) < 2000;
    const stored: AgentPresence = same
      ? { state: p.state, reasonId: p.reasonId, since: prev.since, wrapUpUntil: prev.wrap_up_until ?? wrapUpUntil }
      : { state: p.state, reasonId: p.reasonId, since, wrapUpUntil };
    await tx.query(
      `INSERT INTO agent_presence (user_id, state, reason_id, since, wrap_up_until, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (user_id) DO UPDATE SET state = EXCLUDED.state, reason_id = EXCLUDED.reason_id, since = EXCLUDED.since,
         wrap_up_until = EXCLUDED.wrap_up_until, updated_at = EXCLUDED.updated_at`,
      [user.userId, stored.state, stored.reasonId, stored.since, stored.wrapUpUntil, now],
    );
    if (!same) {
      const [row] = await tx.query<MemberRow>(`SELECT ${MEMBER_COLUMNS} FROM users u JOIN agent_presence p ON p.user_id = u.id WHERE u.id = $1`, [user.userId]);
      if (row) await announce(tx, row);
    }
    return stored;
  });
}

/** Every member of a team with their presence, and the reasons their states may name. */
export async function teamPresence(db: Queryable, teamId: number): Promise<TeamPresence> {
  const [team] = await db.query<{ name: string }>('SELECT name FROM teams WHERE id = $1', [teamId]);
  if (!team) throw notFound(`team ${teamId} does not exist`);
  const rows = await db.query<MemberRow>(
    `SELECT ${MEMBER_COLUMNS} FROM users u LEFT JOIN agent_presence p ON p.user_id = u.id
      WHERE u.team_id = $1 AND NOT u.disabled ORDER BY lower(u.display_name), u.id`,
    [teamId],
  );
  const reasons = await db.query<ReasonRow>(
    `SELECT team_id, id, label_en, label_zh, automatic, active FROM presence_reasons WHERE team_id IS NULL OR team_id = $1
      ORDER BY team_id NULLS LAST, active DESC, position, id`,
    [teamId],
  );
  // One label per id: the team's own first, then the global one.
  const byId = new Map<string, NotReadyReason & { active: boolean }>();
  for (const r of reasons) if (!byId.has(r.id)) byId.set(r.id, { ...toReason(r), active: r.active });
  return { teamId, teamName: team.name.slice(0, 80), members: rows.map(toMember), reasons: [...byId.values()].slice(0, 200), serverTime: Date.now() };
}

/**
 * Mark Offline the agents (one, or all) whose presence says otherwise while no live socket of theirs
 * counts (seen_at before `staleBefore`: backend/presence/tracker.ts), and whose presence is older than
 * `quietBefore` (a report that came in just before its socket gets the grace too). Offline since their
 * last socket closed: its seen_at + `closedOffset` (the tracker's lease - grace), or `at` without one.
 * Announces each change.
 */
export async function markOffline(db: Db, o: { userId?: number; staleBefore: number; quietBefore: number; closedOffset: number; at?: number }): Promise<number> {
  const at = o.at ?? Date.now();
  return db.transaction(async (tx) => {
    const rows = await tx.query<MemberRow>(
      `WITH gone AS (
         UPDATE agent_presence p
            SET state = 'offline', reason_id = NULL, wrap_up_until = NULL, updated_at = $1,
                since = LEAST($1, COALESCE((SELECT max(s.seen_at) FROM presence_sockets s WHERE s.user_id = p.user_id) + $5, $1))
          WHERE p.state <> 'offline' AND p.updated_at < $2 AND ($4::bigint IS NULL OR p.user_id = $4)
            AND NOT EXISTS (SELECT 1 FROM presence_sockets s WHERE s.user_id = p.user_id AND s.seen_at >= $3)
          RETURNING p.*)
       SELECT ${MEMBER_COLUMNS} FROM gone p JOIN users u ON u.id = p.user_id`,
      [at, o.quietBefore, o.staleBefore, o.userId ?? null, o.closedOffset],
    );
    for (const r of rows) await announce(tx, r);
    return rows.length;
  });
}
