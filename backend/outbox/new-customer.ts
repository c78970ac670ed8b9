// A customer saved by an agent from an unmatched caller's card, delivered by the outbox. The id is the
// desktop's ("N-" + a ULID), kept here, so items written before this one arrived (the call record, the
// wrap-up) can already refer to it. Validated and normalised like every customer (toCustomerRecord).
import type { NewCustomer } from '../../shared/outbox/items';
import { toCustomerRecord } from '../../shared/domain/customer-input';
import { customerDoc, readCustomer } from '../customers/store';
import { writeHistory } from './calls';
import { reject, type ApplyContext, type Outcome } from './outcome';

export async function applyNewCustomer(c: ApplyContext, n: NewCustomer): Promise<Outcome> {
  const { tx, principal: p } = c;
  const r = toCustomerRecord({ id: n.id, name: n.name, company: n.company, notes: n.notes, phones: n.phones }, c.plan);
  if (!r.ok) {
    const first = r.errors[0] ?? 'invalid customer';
    return reject('invalid', r.errors.join('; ').slice(0, 500), first.split(':')[0]);
  }
  const existing = await readCustomer(tx, n.id, true);
  if (existing) return reject('conflict', `a customer with the id ${n.id} already exists`, 'id');
  await tx.query('INSERT INTO customers (id, seq, doc, merged_into, changed_at, deleted_at) VALUES ($1, $2, $3, NULL, $4, NULL)', [
    n.id,
    c.changes.next('customers'),
    customerDoc(r.record),
    Date.now(),
  ]);
  // The call it came from, recorded before the customer existed: link it, and it joins the history.
  if (n.interactionId) {
    const [rec] = await tx.query<{ id: string; customer_id: string | null; direction: 'inbound' | 'outbound'; outcome: string; started_at: number; talk_ms: number; disposition: string | null; note: string; user_id: number }>(
      `UPDATE call_records SET customer_id = $2 WHERE id = $1 AND user_id = $3 AND customer_id IS NULL
       RETURNING id, customer_id, direction, outcome, started_at, talk_ms, disposition, note, user_id`,
      [n.interactionId, n.id, p.userId],
    );
    if (rec && rec.outcome !== 'elsewhere' && rec.outcome !== 'failed') await writeHistory(c, rec, n.id);
  }
  return { status: 'applied', notices: [], customerId: n.id };
}
