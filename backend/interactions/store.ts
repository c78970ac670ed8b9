// Interaction history on the server. All of it is kept; the sync stream carries each live customer's
// newest INTERACTION_WINDOW (see refreshWindow in ../customers/store.ts).
import type { SyncInteraction } from '../../shared/sync/protocol';
import { FOREIGN_KEY_VIOLATION, UNIQUE_VIOLATION, sqlState, type Db } from '../db/db';
import { writeChanges } from '../db/changes';
import { conflict, notFound } from '../http/errors';
import { refreshWindow } from '../customers/store';

export function interactionDoc(i: SyncInteraction): string {
  return JSON.stringify({
    id: i.id,
    customerId: i.customerId,
    at: i.at,
    direction: i.direction,
    channel: i.channel,
    agent: i.agent,
    disposition: i.disposition,
    note: i.note,
    durationS: i.durationS,
  });
}

/** Add interactions (already validated) in one transaction. Returns the seq of the last change. */
export async function addInteractions(db: Db, list: readonly SyncInteraction[]): Promise<number> {
  if (!list.length) return 0;
  return writeChanges(db, async (tx, changes) => {
    try {
      await tx.query(
        `INSERT INTO interactions (id, customer_id, at, doc, seq, in_window, changed_at)
         SELECT t.id, t.customer_id, t.at, t.doc, $5 + t.ord, false, $6
           FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[]) WITH ORDINALITY AS t(id, customer_id, at, doc, ord)`,
        [list.map((i) => i.id), list.map((i) => i.customerId), list.map((i) => i.at), list.map(interactionDoc), changes.current, Date.now()],
      );
    } catch (err) {
      if (sqlState(err) === UNIQUE_VIOLATION) throw conflict('an interaction with this id already exists');
      if (sqlState(err) === FOREIGN_KEY_VIOLATION) throw notFound('an interaction refers to a customer that does not exist');
      throw err;
    }
    changes.advance('interactions', list.length);
    await refreshWindow(tx, changes, [...new Set(list.map((i) => i.customerId))]);
    return changes.current;
  });
}
