// Bearer tokens: 32 random bytes, shown to the client once. The database keeps only SHA-256(token): a
// leaked sessions table or backup lets nobody in. (A fast hash is right here: the token has 256 bits of
// entropy, so there is nothing to brute-force, unlike a password.)
import { createHash, randomBytes } from 'node:crypto';

const PREFIX = 'll1_';
const FORMAT = /^ll1_[A-Za-z0-9_-]{43}$/;

export function newToken(): { token: string; hash: string } {
  const token = PREFIX + randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function isWellFormedToken(token: string): boolean {
  return FORMAT.test(token);
}

/** The token of an `Authorization: Bearer …` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer ([^\s]{1,200})$/i.exec(header.trim());
  return m?.[1] && isWellFormedToken(m[1]) ? m[1] : null;
}
