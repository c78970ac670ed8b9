// Migration 3: agent presence (issue 5): the latest state each agent's desktop reported, the live sockets
// that keep an agent online (one row per socket, on any backend instance), and the Not Ready reasons
// admins configure (a global list, and per team a list that replaces it).
// Shipped migrations are never edited (the runner checks their checksums): add a new file instead.
// The seeded reasons are literals on purpose: shared/domain/agent-state.ts may change its defaults
// later, this text may not.
export default {
  version: 3,
  name: 'agent presence, live sockets, Not Ready reasons',
  sql: /* sql */ `
-- Not Ready reasons. team_id NULL: the global list, used by every team that has no active reason of its
-- own. Never deleted, only deactivated, so a state reported with an old reason keeps its label.
CREATE TABLE presence_reasons (
  team_id   bigint REFERENCES teams (id) ON DELETE CASCADE,
  id        text NOT NULL CHECK (id ~ '^[a-z][a-z0-9_]{0,31}$'),
  label_en  text NOT NULL,
  label_zh  text NOT NULL,
  automatic boolean NOT NULL DEFAULT false,
  active    boolean NOT NULL DEFAULT true,
  position  integer NOT NULL
);
CREATE UNIQUE INDEX presence_reasons_key ON presence_reasons ((coalesce(team_id, 0)), id);
INSERT INTO presence_reasons (team_id, id, label_en, label_zh, automatic, position) VALUES
  (NULL, 'break', 'Break', '小休', false, 1),
  (NULL, 'lunch', 'Lunch', '午餐', false, 2),
  (NULL, 'meeting', 'Meeting', '会议', false, 3),
  (NULL, 'training', 'Training', '培训', false, 4),
  (NULL, 'follow_up', 'Follow-up work', '跟进处理', false, 5),
  (NULL, 'away', 'Away (computer slept)', '离开（电脑休眠）', true, 6);

-- The latest presence of each agent. since and wrap_up_until are on the server's clock (the desktop's
-- clock offset is taken out when it reports). updated_at: when this row last changed.
CREATE TABLE agent_presence (
  user_id       bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  state         text NOT NULL CHECK (state IN ('offline', 'ready', 'not_ready', 'ringing', 'on_call', 'wrap_up')),
  reason_id     text,
  since         bigint NOT NULL,
  wrap_up_until bigint,
  updated_at    bigint NOT NULL
);

-- Every open live socket, whichever backend instance holds it. An instance refreshes seen_at of its own
-- sockets periodically; a row nobody refreshed for a while belongs to an instance that died.
CREATE TABLE presence_sockets (
  id       text PRIMARY KEY,
  user_id  bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  instance text NOT NULL,
  seen_at  bigint NOT NULL
);
CREATE INDEX presence_sockets_user ON presence_sockets (user_id, seen_at);
CREATE INDEX presence_sockets_instance ON presence_sockets (instance);
`,
};
