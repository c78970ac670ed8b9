// Migration 1: accounts, the change sequence, customers and interactions.
// Shipped migrations are never edited (the runner checks their checksums): add a new file instead.
export default {
  version: 1,
  name: 'accounts, change sequence, customers, interactions',
  sql: /* sql */ `
-- The identity of this dataset: part of every sync epoch, so a cache built from another database
-- (or a restore into a new one) is rebuilt instead of mixed.
CREATE TABLE dataset (
  singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  id         text NOT NULL,
  created_at bigint NOT NULL
);
INSERT INTO dataset (id, created_at)
  VALUES (replace(gen_random_uuid()::text, '-', ''), (extract(epoch FROM clock_timestamp()) * 1000)::bigint);

-- The one change sequence of every synced table. A writer locks this row (SELECT … FOR UPDATE) before it
-- touches a synced row and stores the new value in the same transaction, so seqs are handed out in
-- commit order: a reader never sees seq N+1 committed while N is still to come (backend/db/changes.ts).
CREATE TABLE change_seq (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  value     bigint NOT NULL CHECK (value >= 0)
);
INSERT INTO change_seq (value) VALUES (0);

-- Per sync stream: cursors below compacted_through get 410 (tombstones up to it are no longer sent).
CREATE TABLE sync_streams (
  stream            text PRIMARY KEY,
  compacted_through bigint NOT NULL DEFAULT 0
);
INSERT INTO sync_streams (stream) VALUES ('customers'), ('interactions');

CREATE TABLE teams (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name       text NOT NULL,
  created_at bigint NOT NULL
);
CREATE UNIQUE INDEX teams_name ON teams (lower(name));

CREATE TABLE users (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username      text NOT NULL,
  display_name  text NOT NULL,
  role          text NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin')),
  team_id       bigint REFERENCES teams (id),
  password_hash text NOT NULL,
  disabled      boolean NOT NULL DEFAULT false,
  created_at    bigint NOT NULL,
  updated_at    bigint NOT NULL
);
CREATE UNIQUE INDEX users_username ON users (lower(username));
CREATE INDEX users_team ON users (team_id);

-- The SIP account the desktop registers with. The password must be given back to its user, so it cannot
-- be hashed: it is sealed with AES-256-GCM under the server key (backend/auth/secret-box.ts).
CREATE TABLE sip_accounts (
  user_id      bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  ws_url       text NOT NULL,
  sip_uri      text NOT NULL,
  auth_user    text NOT NULL,
  display_name text NOT NULL,
  password_box text NOT NULL,
  updated_at   bigint NOT NULL
);

-- Bearer sessions. Only the SHA-256 of a token is stored: a copy of this table signs nobody in.
CREATE TABLE sessions (
  token_hash text PRIMARY KEY,
  user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  revoked_at bigint,
  user_agent text NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- One row per customer id, at its newest seq. doc is the customer exactly as its sync line carries it
-- (JSON of SyncCustomer), so a sync page is a range scan on seq with no per-row assembly. A delete keeps
-- the row as a tombstone (doc NULL), with merged_into when it was merged into another customer.
CREATE TABLE customers (
  id          text PRIMARY KEY,
  seq         bigint NOT NULL,
  doc         text,
  merged_into text REFERENCES customers (id),
  changed_at  bigint NOT NULL,
  deleted_at  bigint,
  CHECK ((doc IS NULL) = (deleted_at IS NOT NULL)),
  CHECK (merged_into IS NULL OR deleted_at IS NOT NULL)
);
CREATE UNIQUE INDEX customers_seq ON customers (seq);

-- Every interaction is kept; the sync stream carries the newest INTERACTION_WINDOW of each live customer
-- (in_window). Leaving the window takes a new seq and travels as a tombstone.
CREATE TABLE interactions (
  id          text PRIMARY KEY,
  customer_id text NOT NULL REFERENCES customers (id),
  at          bigint NOT NULL,
  doc         text NOT NULL,
  seq         bigint NOT NULL,
  in_window   boolean NOT NULL,
  changed_at  bigint NOT NULL
);
CREATE UNIQUE INDEX interactions_seq ON interactions (seq);
CREATE INDEX interactions_customer ON interactions (customer_id, at DESC, id DESC);

-- CSV imports validate and stage their rows here, outside any transaction; one final transaction then
-- moves them into customers (all or nothing per file).
CREATE UNLOGGED TABLE import_rows (
  import_id text NOT NULL,
  line      integer NOT NULL,
  id        text NOT NULL,
  doc       text NOT NULL,
  PRIMARY KEY (import_id, line)
);
CREATE TABLE imports (
  id         text PRIMARY KEY,
  user_id    bigint REFERENCES users (id) ON DELETE SET NULL,
  started_at bigint NOT NULL
);
`,
};
