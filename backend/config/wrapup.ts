// What admins configure for after-call work: disposition codes and ticket categories (English and
// Chinese labels; deactivated, never deleted, so old records keep their labels) and each team's
// wrap-up limit. Plain functions of (db, args); routes decide who may call them.
import type { CodeLabel, WrapupConfig } from '../../shared/outbox/followups';
import type { Db, Queryable } from '../db/db';
import { badRequest, notFound } from '../http/errors';

/** A team (or a user without one) that no admin configured gets this much wrap-up time. */
export const DEFAULT_WRAPUP_SECONDS = 30;

export type CodeKind = 'disposition' | 'category';

interface CodeRow {
  code: string;
  label_en: string;
  label_zh: string;
  active: boolean;
}

const toCode = (r: CodeRow): CodeLabel => ({ code: r.code, en: r.label_en, zh: r.label_zh, active: r.active });

export async function listCodes(db: Queryable, kind: CodeKind): Promise<CodeLabel[]> {
  const rows = await db.query<CodeRow>('SELECT code, label_en, label_zh, active FROM wrapup_codes WHERE kind = $1 ORDER BY position, code', [kind]);
  return rows.map(toCode);
}

/** The active codes of a kind, for checking what an item uses. */
export async function activeCodes(db: Queryable, kind: CodeKind): Promise<Set<string>> {
  const rows = await db.query<{ code: string }>('SELECT code FROM wrapup_codes WHERE kind = $1 AND active', [kind]);
  return new Set(rows.map((r) => r.code));
}

/**
 * Replace the list of a kind (its order is the form's order). A code missing from the new list is kept,
 * deactivated: records that carry it still need its label.
 */
export async function replaceCodes(db: Db, kind: CodeKind, list: readonly CodeLabel[]): Promise<CodeLabel[]> {
  return db.transaction(async (tx) => {
    await tx.query('UPDATE wrapup_codes SET active = false, position = position + 100000 WHERE kind = $1', [kind]);
    await tx.query(
      `INSERT INTO wrapup_codes (kind, code, label_en, label_zh, active, position)
       SELECT $1, t.code, t.en, t.zh, t.active, t.ord FROM unnest($2::text[], $3::text[], $4::text[], $5::boolean[]) WITH ORDINALITY AS t(code, en, zh, active, ord)
       ON CONFLICT (kind, code) DO UPDATE SET label_en = EXCLUDED.label_en, label_zh = EXCLUDED.label_zh, active = EXCLUDED.active, position = EXCLUDED.position`,
      [kind, list.map((c) => c.code), list.map((c) => c.en), list.map((c) => c.zh), list.map((c) => c.active)],
    );
    return listCodes(tx, kind);
  });
}

export async function teamWrapupSeconds(db: Queryable, teamId: number | null): Promise<number> {
  if (teamId === null) return DEFAULT_WRAPUP_SECONDS;
  const [row] = await db.query<{ seconds: number }>('SELECT seconds FROM team_wrapup WHERE team_id = $1', [teamId]);
  return row?.seconds ?? DEFAULT_WRAPUP_SECONDS;
}

export async function setTeamWrapupSeconds(db: Queryable, teamId: number, seconds: number): Promise<{ seconds: number }> {
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 3600) throw badRequest('seconds must be an integer from 0 to 3600');
  const [team] = await db.query('SELECT id FROM teams WHERE id = $1', [teamId]);
  if (!team) throw notFound(`team ${teamId} does not exist`);
  await db.query('INSERT INTO team_wrapup (team_id, seconds) VALUES ($1, $2) ON CONFLICT (team_id) DO UPDATE SET seconds = EXCLUDED.seconds', [teamId, seconds]);
  return { seconds };
}

export async function wrapupConfig(db: Queryable, teamId: number | null): Promise<WrapupConfig> {
  const [dispositions, categories, wrapUpSeconds] = await Promise.all([listCodes(db, 'disposition'), listCodes(db, 'category'), teamWrapupSeconds(db, teamId)]);
  return { dispositions, categories, wrapUpSeconds, fetchedAt: Date.now() };
}
