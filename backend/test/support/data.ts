// Test data helpers: customer CSV files and the server's own view of what a synced cache must hold.
import { csvCell } from '../../../shared/domain/customer-csv';
import type { SyncCustomer, SyncInteraction } from '../../../shared/sync/protocol';
import type { Queryable } from '../../db/db';

export interface CsvCustomer {
  id: string;
  name: string;
  company?: string;
  tier?: string;
  tags?: string;
  notes?: string;
  phones: string;
}

/** A valid Chinese mobile number, distinct per n. */
export const mobile = (n: number) => `139${String(n).padStart(8, '0')}`;

export function csvOf(rows: readonly CsvCustomer[], header = 'id,name,company,tier,tags,notes,phones'): string {
  const cols = header.split(',') as (keyof CsvCustomer)[];
  return [header, ...rows.map((r) => cols.map((c) => csvCell(r[c] ?? '')).join(','))].join('\n') + '\n';
}

export function customers(n: number, prefix = 'T', from = 0): CsvCustomer[] {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return { id: `${prefix}${String(i).padStart(5, '0')}`, name: `客户 ${prefix}${i}`, company: i % 3 ? 'Acme' : '', tier: 'silver', tags: 'a;b', phones: `mobile:${mobile(i)}` };
  });
}

export async function serverCustomers(db: Queryable): Promise<Map<string, SyncCustomer>> {
  const rows = await db.query<{ id: string; doc: string }>('SELECT id, doc FROM customers WHERE doc IS NOT NULL');
  return new Map(rows.map((r) => [r.id, JSON.parse(r.doc) as SyncCustomer]));
}

export async function serverWindow(db: Queryable): Promise<Map<string, SyncInteraction>> {
  const rows = await db.query<{ id: string; doc: string }>('SELECT id, doc FROM interactions WHERE in_window');
  return new Map(rows.map((r) => [r.id, JSON.parse(r.doc) as SyncInteraction]));
}

export function interaction(customerId: string, n: number, at: number): SyncInteraction {
  return { id: `${customerId}-I${n}`, customerId, at, direction: 'inbound', channel: 'voice', agent: 'tester', disposition: 'resolved', note: `call ${n}`, durationS: 60 };
}
