// outbox.sqlite: the only copy of an agent's after-call work until the backend has it. A file of its own
// (never the cache, which can always be re-pulled and is rebuilt in a new file on a reset), WAL with
// synchronous=FULL so a commit survives power loss, and its own forward-only migrations (PRAGMA
// user_version). A file written by a newer Lianluo is refused and never altered.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ulid } from 'ulid';

export type OutboxDb = Database.Database;

export const outboxFile = (dataDir: string) => join(dataDir, 'outbox.sqlite');

export interface OutboxMigration {
  version: number;
  name: string;
  up(db: OutboxDb): void;
}

export const OUTBOX_MIGRATIONS: readonly OutboxMigration[] = [
  {
    version: 1,
    name: 'items, meta, cache',
    up(db) {
      db.exec(`
        -- One row per thing the agent saved. seq is the order of delivery (never reused: AUTOINCREMENT);
        -- key is the idempotency key the backend dedups by. Rows are never deleted while not delivered.
        CREATE TABLE items(
          seq             INTEGER PRIMARY KEY AUTOINCREMENT,
          key             TEXT NOT NULL UNIQUE,
          kind            TEXT NOT NULL,
          -- Whose work it is: "<backend> <username>"; NULL: saved while nobody was signed in (the next
          -- agent to sign in takes it). Items wait for their owner to sign in again.
          owner           TEXT,
          customer_id     TEXT,
          interaction_id  TEXT,
          payload         TEXT NOT NULL,
          created_at      INTEGER NOT NULL,
          -- pending → done (the backend applied it, or had already) | rejected (needs attention)
          -- rejected → resent (the agent fixed it; resent_as is the new item's key)
          state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'rejected', 'resent')),
          attempts        INTEGER NOT NULL DEFAULT 0,
          last_error      TEXT,
          last_attempt_at INTEGER,
          result          TEXT,
          done_at         INTEGER,
          resent_as       TEXT,
          -- The agent has seen what the backend said about it (re-linked to a merged customer …).
          notice_seen     INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX items_pending ON items(owner, seq) WHERE state = 'pending';
        CREATE INDEX items_rejected ON items(owner, seq) WHERE state = 'rejected';
        CREATE INDEX items_customer ON items(customer_id, created_at) WHERE customer_id IS NOT NULL;
        CREATE INDEX items_done ON items(done_at) WHERE state = 'done';
        CREATE TABLE meta(k TEXT PRIMARY KEY, v TEXT NOT NULL);
        -- The backend's last answers (wrap-up configuration, my callbacks), per owner, for offline use.
        CREATE TABLE cache(k TEXT PRIMARY KEY, v TEXT NOT NULL, at INTEGER NOT NULL);
      `);
      db.prepare('INSERT INTO meta(k, v) VALUES (?, ?)').run('client_id', ulid());
    },
  },
];

export const OUTBOX_SCHEMA = OUTBOX_MIGRATIONS[OUTBOX_MIGRATIONS.length - 1]?.version ?? 0;

export class OutboxTooNewError extends Error {
  constructor(
    readonly found: number,
    readonly supported: number,
  ) {
    super(
      `The outbox file was written by a newer version of Lianluo (schema ${found}; this version understands up to ${supported}). ` +
        'It may hold work not yet delivered, so it is left untouched: update Lianluo.',
    );
    this.name = 'OutboxTooNewError';
  }
}

export function migrateOutbox(db: OutboxDb, migrations: readonly OutboxMigration[] = OUTBOX_MIGRATIONS): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  if (current > latest) throw new OutboxTooNewError(current, latest);
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return db.pragma('user_version', { simple: true }) as number;
}

/** Open (and migrate) the outbox file: WAL, synchronous=FULL, one connection for the process. */
export function openOutboxDb(path: string, migrations: readonly OutboxMigration[] = OUTBOX_MIGRATIONS): OutboxDb {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrateOutbox(db, migrations);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}
