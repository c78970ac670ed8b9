// Migration 2: what agents write after calls (issue 4): the outbox's dedup table, call records,
// follow-ups (callbacks and tickets), disposition codes and ticket categories, per-team wrap-up limits.
// Shipped migrations are never edited (the runner checks their checksums): add a new file instead.
// The seeded codes are literals on purpose: shared/outbox/followups.ts may change its defaults later,
// this text may not.
export default {
  version: 2,
  name: 'outbox, call records, follow-ups, wrap-up codes',
  sql: /* sql */ `
-- Every outbox item a desktop delivered, by its client key (a ULID). Written in the same transaction as
-- the item's effects, so an item is applied at most once; a resend finds its row and gets the stored
-- answer back. user_id is not a foreign key: the row must outlive nothing it could be cascaded with.
CREATE TABLE outbox_applied (
  key        text PRIMARY KEY,
  user_id    bigint NOT NULL,
  client_id  text NOT NULL,
  seq        bigint NOT NULL,
  kind       text NOT NULL,
  status     text NOT NULL CHECK (status IN ('applied', 'rejected')),
  result     text NOT NULL,
  applied_at bigint NOT NULL
);
CREATE INDEX outbox_applied_client ON outbox_applied (client_id, user_id, seq);

-- Admin-configured codes: dispositions for the wrap-up form, categories for tickets. Never deleted, only
-- deactivated, so old records keep their labels.
CREATE TABLE wrapup_codes (
  kind     text NOT NULL CHECK (kind IN ('disposition', 'category')),
  code     text NOT NULL,
  label_en text NOT NULL,
  label_zh text NOT NULL,
  active   boolean NOT NULL DEFAULT true,
  position integer NOT NULL,
  PRIMARY KEY (kind, code)
);
INSERT INTO wrapup_codes (kind, code, label_en, label_zh, position) VALUES
  ('disposition', 'resolved', 'Resolved', '已解决', 1),
  ('disposition', 'info', 'Information given', '已提供信息', 2),
  ('disposition', 'callback', 'Callback needed', '需要回电', 3),
  ('disposition', 'escalated', 'Escalated', '已升级', 4),
  ('disposition', 'complaint', 'Complaint', '投诉', 5),
  ('disposition', 'sale', 'Sale', '成交', 6),
  ('disposition', 'wrong_number', 'Wrong number', '打错电话', 7),
  ('category', 'billing', 'Billing', '账单', 1),
  ('category', 'technical', 'Technical problem', '技术问题', 2),
  ('category', 'delivery', 'Delivery', '配送', 3),
  ('category', 'account', 'Account change', '账户变更', 4),
  ('category', 'other', 'Other', '其他', 5);

-- A team's wrap-up limit; teams without a row get the default of backend/config/wrapup.ts.
CREATE TABLE team_wrapup (
  team_id bigint PRIMARY KEY REFERENCES teams (id) ON DELETE CASCADE,
  seconds integer NOT NULL CHECK (seconds BETWEEN 0 AND 3600)
);

-- One row per call an agent's desktop recorded (answered or not), id = the desktop's interaction id.
-- Calls with a known customer also get a row in interactions (the synced history).
CREATE TABLE call_records (
  id                text PRIMARY KEY,
  user_id           bigint NOT NULL,
  team_id           bigint,
  agent             text NOT NULL,
  customer_id       text REFERENCES customers (id),
  customer_snapshot text,
  direction         text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
  outcome           text NOT NULL,
  end_reason        text NOT NULL,
  remote_number     text NOT NULL,
  remote_name       text NOT NULL,
  queue             text,
  started_at        bigint NOT NULL,
  answered_at       bigint,
  ended_at          bigint NOT NULL,
  ring_ms           integer NOT NULL,
  talk_ms           integer NOT NULL,
  hold_ms           integer NOT NULL,
  wrap_ms           integer,
  disposition       text,
  note              text NOT NULL DEFAULT '',
  quality           text,
  transferred_from  text,
  sip_call_id       text,
  recorded_at       bigint NOT NULL,
  wrapped_at        bigint
);
CREATE INDEX call_records_customer ON call_records (customer_id, started_at DESC);
CREATE INDEX call_records_user ON call_records (user_id, started_at DESC);
CREATE INDEX call_records_sip ON call_records (user_id, sip_call_id) WHERE sip_call_id IS NOT NULL;

-- Callbacks and tickets. customer_id is NULL when the customer was deleted before the follow-up
-- arrived (customer_snapshot says who it was). Callbacks are for a user (assignee 'me') or a team.
CREATE TABLE followups (
  id                text PRIMARY KEY,
  kind              text NOT NULL CHECK (kind IN ('callback', 'ticket')),
  state             text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done', 'cancelled')),
  customer_id       text REFERENCES customers (id),
  customer_snapshot text,
  interaction_id    text,
  created_by        bigint NOT NULL,
  created_by_name   text NOT NULL,
  created_at        bigint NOT NULL,
  assignee          text CHECK (assignee IN ('me', 'team')),
  owner_user_id     bigint,
  team_id           bigint,
  due_at            bigint,
  number            text,
  note              text NOT NULL DEFAULT '',
  category          text,
  priority          text CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
  description       text NOT NULL DEFAULT '',
  updated_at        bigint NOT NULL,
  closed_at         bigint,
  closed_by         bigint
);
CREATE INDEX followups_open_owner ON followups (owner_user_id, due_at) WHERE state = 'open';
CREATE INDEX followups_open_team ON followups (team_id, due_at) WHERE state = 'open';
CREATE INDEX followups_open_customer ON followups (customer_id, due_at) WHERE state = 'open';
`,
};
