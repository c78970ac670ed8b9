// Which customer an arriving item belongs to. Items are written offline, so the customer the agent saw
// may have been merged or deleted before the item arrives (research sync-anchors.md §2.5). Callbacks,
// notes and call records are additive facts: they are never dropped for that reason.
//   merged  → re-linked to the surviving customer (following A → B → C), and the agent is told;
//   deleted → kept without a customer, with the snapshot the agent saw, and the agent is told;
//   unknown → kept without a customer (an id the server never had), and the agent is told.
import type { Notice } from '../../shared/outbox/items';
import type { Queryable } from '../db/db';

export interface Linked {
  customerId: string | null;
  notices: Notice[];
}

export async function linkCustomer(tx: Queryable, id: string | null): Promise<Linked> {
  if (id === null) return { customerId: null, notices: [] };
  let cur = id;
  for (let hops = 0; hops < 32; hops++) {
    const [row] = await tx.query<{ deleted: boolean; merged_into: string | null }>('SELECT (doc IS NULL) AS deleted, merged_into FROM customers WHERE id = $1', [cur]);
    if (!row) return { customerId: null, notices: [{ code: 'customer_unknown', customerId: id }] };
    if (!row.deleted) return { customerId: cur, notices: cur === id ? [] : [{ code: 'customer_merged', from: id, to: cur }] };
    if (!row.merged_into) return { customerId: null, notices: [{ code: 'customer_deleted', customerId: id }] };
    cur = row.merged_into;
  }
  return { customerId: null, notices: [{ code: 'customer_deleted', customerId: id }] };
}
