// Configuration of the standalone backend, from the environment (documented in `npm run backend -- help`).
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_NUMBER_PLAN } from '../shared/domain/defaults';
import { NumberPlan } from '../shared/domain/settings';
import { SecretBox } from './auth/secret-box';
import type { DatabaseTarget } from './db/open';
import { DEFAULT_CACHE_IMAGE, type CacheImageConfig } from './sync/cache-image/job';

export interface BackendConfig {
  target: DatabaseTarget;
  host: string;
  port: number;
  box: SecretBox;
  plan: NumberPlan;
  sessionTtlMs: number;
  /** Seed demo users and customers into an empty database. */
  demo: boolean;
  demoCustomers: number;
  logLevel: string;
  /** Where the embedded database and its files live (PGlite only). */
  dataDir: string | null;
  cacheImage: CacheImageConfig;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  return n;
}

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'lianluo', 'backend');
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): BackendConfig {
  const url = env.DATABASE_URL?.trim();
  if (url && !/^postgres(ql)?:\/\//.test(url)) throw new ConfigError('DATABASE_URL must be a postgres:// URL');
  const dataDir = url ? null : env.LIANLUO_DATA_DIR?.trim() || defaultDataDir(env);
  const target: DatabaseTarget = url ? { kind: 'postgres', url } : { kind: 'pglite', dataDir };

  let box: SecretBox;
  if (env.LIANLUO_BACKEND_KEY) box = SecretBox.fromBase64(env.LIANLUO_BACKEND_KEY);
  else if (env.LIANLUO_BACKEND_KEY_FILE) box = SecretBox.fromKeyFile(env.LIANLUO_BACKEND_KEY_FILE);
  else if (dataDir) box = SecretBox.fromKeyFile(join(dataDir, 'backend.key'));
  else {
    throw new ConfigError(
      'With DATABASE_URL, set LIANLUO_BACKEND_KEY (or LIANLUO_BACKEND_KEY_FILE) to the same 32-byte key on every instance: ' +
        'it encrypts SIP passwords at rest. Create one with: npm run backend -- gen-key',
    );
  }

  const plan = NumberPlan.safeParse({
    ...DEFAULT_NUMBER_PLAN,
    ...(env.LIANLUO_REGION ? { defaultRegion: env.LIANLUO_REGION } : {}),
    ...(env.LIANLUO_AREA_CODE ? { localAreaCode: env.LIANLUO_AREA_CODE } : {}),
  });
  if (!plan.success) throw new ConfigError('LIANLUO_REGION must be a two-letter region (e.g. CN) and LIANLUO_AREA_CODE digits only');

  const imageSetting = env.LIANLUO_CACHE_IMAGE ?? 'on';
  if (!['on', 'off'].includes(imageSetting)) throw new ConfigError('LIANLUO_CACHE_IMAGE must be on or off');
  const cacheImage: CacheImageConfig = {
    enabled: imageSetting === 'on',
    dir: env.LIANLUO_CACHE_IMAGE_DIR?.trim() || join(dataDir ?? defaultDataDir(env), 'cache-images'),
    minRows: int(env, 'LIANLUO_CACHE_IMAGE_MIN_ROWS', DEFAULT_CACHE_IMAGE.minRows, 1, 1_000_000_000),
    maxAgeMs: int(env, 'LIANLUO_CACHE_IMAGE_MAX_AGE_HOURS', DEFAULT_CACHE_IMAGE.maxAgeMs / 3_600_000, 1, 24 * 365) * 3_600_000,
    checkEveryMs: int(env, 'LIANLUO_CACHE_IMAGE_CHECK_SECONDS', DEFAULT_CACHE_IMAGE.checkEveryMs / 1000, 1, 86_400) * 1000,
  };

  const demoSetting = env.LIANLUO_DEMO ?? 'auto';
  if (!['auto', '0', '1'].includes(demoSetting)) throw new ConfigError('LIANLUO_DEMO must be auto, 0 or 1');
  return {
    target,
    host: env.HOST || '127.0.0.1',
    port: int(env, 'PORT', 8787, 0, 65535),
    box,
    plan: plan.data,
    sessionTtlMs: int(env, 'LIANLUO_SESSION_HOURS', 12, 1, 24 * 30) * 3_600_000,
    demo: demoSetting === '1' || (demoSetting === 'auto' && target.kind === 'pglite'),
    demoCustomers: int(env, 'LIANLUO_DEMO_CUSTOMERS', 5000, 0, 10_000_000),
    logLevel: env.LOG_LEVEL || 'info',
    dataDir,
    cacheImage,
  };
}
