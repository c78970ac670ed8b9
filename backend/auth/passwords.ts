// Password hashing with scrypt (node:crypto), a random 16-byte salt per hash, parameters stored in the
// hash so they can be raised later: verify() reports when a hash should be upgraded at the next login.
// Default cost: N=2^15, r=8, p=3 (OWASP's scrypt minimum at 32 MiB of memory; ~0.3 s on a 2-core VM).
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptCost {
  log2N: number;
  r: number;
  p: number;
}

export const DEFAULT_COST: ScryptCost = { log2N: 15, r: 8, p: 3 };
/** Only for tests: a cost that takes microseconds. Never use elsewhere. */
export const TEST_COST: ScryptCost = { log2N: 10, r: 8, p: 1 };

const KEY_LEN = 32;

function scrypt(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  const N = 2 ** cost.log2N;
  const opts: ScryptOptions = { N, r: cost.r, p: cost.p, maxmem: 128 * N * cost.r * 2 + 1024 * 1024 };
  return new Promise((resolve, reject) => scryptCb(password.normalize('NFC'), salt, KEY_LEN, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

export async function hashPassword(password: string, cost: ScryptCost = DEFAULT_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, cost);
  return ['scrypt', cost.log2N, cost.r, cost.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

const FORMAT = /^scrypt\$(\d{1,2})\$(\d{1,2})\$(\d{1,2})\$([A-Za-z0-9_-]{16,64})\$([A-Za-z0-9_-]{32,128})$/;

function parse(hash: string): { cost: ScryptCost; salt: Buffer; key: Buffer } | null {
  const m = FORMAT.exec(hash);
  if (!m) return null;
  const cost = { log2N: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  // Bounds, so a corrupted row cannot make one login take minutes or gigabytes.
  if (cost.log2N < 10 || cost.log2N > 20 || cost.r < 1 || cost.r > 32 || cost.p < 1 || cost.p > 16) return null;
  return { cost, salt: Buffer.from(m[4] as string, 'base64url'), key: Buffer.from(m[5] as string, 'base64url') };
}

export interface Verdict {
  ok: boolean;
  /** The hash used weaker (or other) parameters than `cost`: store a fresh hash. */
  rehash: boolean;
}

export async function verifyPassword(password: string, hash: string, cost: ScryptCost = DEFAULT_COST): Promise<Verdict> {
  const parsed = parse(hash);
  if (!parsed) return { ok: false, rehash: false };
  const key = await scrypt(password, parsed.salt, parsed.cost);
  const ok = key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
  const same = parsed.cost.log2N === cost.log2N && parsed.cost.r === cost.r && parsed.cost.p === cost.p;
  return { ok, rehash: ok && !same };
}

const dummies = new Map<string, Promise<string>>();
/** Spend the same time for an unknown user as for a wrong password, so timing does not reveal usernames. */
export async function burnPasswordCheck(password: string, cost: ScryptCost = DEFAULT_COST): Promise<void> {
  const k = `${cost.log2N}/${cost.r}/${cost.p}`;
  let dummy = dummies.get(k);
  if (!dummy) {
    dummy = hashPassword(randomBytes(12).toString('base64url'), cost);
    dummies.set(k, dummy);
  }
  await verifyPassword(password, await dummy, cost);
}
