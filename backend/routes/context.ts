import type { NumberPlan } from '../../shared/domain/settings';
import type { AccountsConfig } from '../auth/accounts';
import type { LoginThrottle } from '../auth/throttle';
import type { Db } from '../db/db';
import type { LiveHub } from '../live/hub';
import type { CacheImages } from '../sync/cache-image/job';

/** What route handlers share. */
export interface RouteContext {
  db: Db;
  accounts: AccountsConfig;
  plan: NumberPlan;
  maxImportBytes: number;
  throttle: LoginThrottle;
  hub: LiveHub;
  syncBatchRows?: number;
  cacheImages?: CacheImages;
}
