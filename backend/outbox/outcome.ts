// What applying one outbox item gives, and what the items of one request share while they are applied.
import type { Principal } from '../auth/accounts';
import type { ItemError, Notice, WireItem } from '../../shared/outbox/items';
import type { Queryable } from '../db/db';
import type { Changes } from '../db/changes';
import type { NumberPlan } from '../../shared/domain/settings';

export type Outcome = { status: 'applied'; notices: Notice[]; customerId?: string | null } | { status: 'rejected'; error: ItemError };

export interface ApplyContext {
  tx: Queryable;
  changes: Changes;
  principal: Principal;
  /** How customer numbers are normalised (new customers). */
  plan: NumberPlan;
  item: WireItem;
  /** The active codes, read once per request. */
  dispositions: Set<string>;
  categories: Set<string>;
  /** Customers and interactions whose history window must be re-evaluated once, at the end. */
  touchedCustomers: Set<string>;
  touchedInteractions: Set<string>;
}

export const reject = (code: ItemError['code'], message: string, field?: string): Outcome => ({
  status: 'rejected',
  error: field === undefined ? { code, message } : { code, message, field },
});
