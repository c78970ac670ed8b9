import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TEST_COST, hashPassword, verifyPassword } from '../../auth/passwords';
import { SecretBox } from '../../auth/secret-box';
import { LoginThrottle } from '../../auth/throttle';
import { bearerToken, hashToken, newToken } from '../../auth/tokens';

describe('passwords', () => {
  it('hash with a per-hash salt and verify; flag hashes made with other parameters', async () => {
    const a = await hashPassword('correct horse', TEST_COST);
    const b = await hashPassword('correct horse', TEST_COST);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$10\$8\$1\$/);
    expect(await verifyPassword('correct horse', a, TEST_COST)).toEqual({ ok: true, rehash: false });
    expect(await verifyPassword('correct hors', a, TEST_COST)).toEqual({ ok: false, rehash: false });
    expect(await verifyPassword('correct horse', a, { log2N: 11, r: 8, p: 1 })).toEqual({ ok: true, rehash: true });
    // Unicode normalisation: the same password typed as composed or decomposed characters.
    expect((await verifyPassword('Ame\u0301lie', await hashPassword('Am\u00e9lie', TEST_COST), TEST_COST)).ok).toBe(true);
  });

  it('refuses corrupted hashes and absurd parameters without trying them', async () => {
    for (const h of ['', 'plain', 'scrypt$30$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'scrypt$10$8$1$short$x']) {
      expect((await verifyPassword('x', h, TEST_COST)).ok).toBe(false);
    }
  });
});

describe('tokens', () => {
  it('are random, hashed for storage, and read only from a well-formed bearer header', () => {
    const a = newToken();
    const b = newToken();
    expect(a.token).not.toBe(b.token);
    expect(a.hash).toBe(hashToken(a.token));
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(bearerToken(`Bearer ${a.token}`)).toBe(a.token);
    expect(bearerToken(`bearer ${a.token}`)).toBe(a.token);
    for (const h of [undefined, '', a.token, `Basic ${a.token}`, `Bearer ${a.token}x`, `Bearer ll1_short`, `Bearer ${a.token} extra`]) expect(bearerToken(h)).toBeNull();
  });
});

describe('SecretBox', () => {
  it('round-trips, and refuses another key, another context or a tampered box', () => {
    const box = SecretBox.fromKey(randomBytes(32));
    const sealed = box.seal('sip-pa55 密码', 'user:1');
    expect(sealed).not.toContain('sip-pa55');
    expect(box.open(sealed, 'user:1')).toBe('sip-pa55 密码');
    expect(box.seal('same', 'user:1')).not.toBe(box.seal('same', 'user:1'));
    expect(() => box.open(sealed, 'user:2')).toThrow();
    expect(() => SecretBox.fromKey(randomBytes(32)).open(sealed, 'user:1')).toThrow();
    const parts = sealed.split('.');
    const ct = Buffer.from(parts[3]!, 'base64url');
    ct[0] = ct[0]! ^ 1;
    expect(() => box.open([parts[0], parts[1], parts[2], ct.toString('base64url')].join('.'), 'user:1')).toThrow();
    expect(() => SecretBox.fromBase64('dG9vIHNob3J0')).toThrow(/32 random bytes/);
  });
});

describe('LoginThrottle', () => {
  it('blocks a username after too many failures until the window passes; success clears it', () => {
    const t = new LoginThrottle({ windowMs: 1000, perUser: 3, perAddress: 5 });
    for (let i = 0; i < 3; i++) t.failed('Bob', '10.0.0.1', 0);
    expect(t.retryAfter('bob', '10.0.0.2', 10)).toBe(1);
    expect(t.retryAfter('alice', '10.0.0.2', 10)).toBe(0);
    expect(t.retryAfter('bob', '10.0.0.2', 1001)).toBe(0);
    t.failed('carol', '10.0.0.1', 0);
    t.failed('dave', '10.0.0.1', 0);
    expect(t.retryAfter('erin', '10.0.0.1', 10)).toBe(1); // the address hit its limit
    t.succeeded('bob');
    expect(t.retryAfter('bob', '10.0.0.9', 20)).toBe(0);
  });
});
