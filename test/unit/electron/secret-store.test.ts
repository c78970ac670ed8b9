// FileSecretStore: values round-trip, the file is readable by the user only, writes are atomic, and
// an encrypting codec is applied (and re-applied when the OS rotated its key).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileSecretStore, MemorySecretStore, type SecretCodec } from '../../../electron/services/secrets/secret-store';

const base = mkdtempSync(join(tmpdir(), 'lianluo-secrets-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
const file = () => {
  const d = join(base, `case-${++n}`);
  mkdirSync(d);
  return join(d, 'secrets.json');
};

const VALUES = ['p@ss w0rd', '', '密码🔑', '"quotes" and \\ backslashes\n', 'x'.repeat(10_000)];

describe('FileSecretStore', () => {
  it('round-trips values, including empty, Unicode and long ones', async () => {
    const f = file();
    const store = new FileSecretStore(f);
    for (const [i, v] of VALUES.entries()) await store.set(`k${i}`, v);
    const again = new FileSecretStore(f);
    for (const [i, v] of VALUES.entries()) expect(await again.get(`k${i}`)).toBe(v);
    expect(await again.get('missing')).toBeUndefined();
  });

  it('keeps the file mode 0600 after every write', async () => {
    const f = file();
    const store = new FileSecretStore(f);
    await store.set('a', '1');
    expect(statSync(f).mode & 0o777).toBe(0o600);
    await store.set('b', '2');
    await store.delete('a');
    expect(statSync(f).mode & 0o777).toBe(0o600);
  });

  it('deletes one key and keeps the others; leaves no temporary file', async () => {
    const f = file();
    const store = new FileSecretStore(f);
    await store.set('a', '1');
    await store.set('b', '2');
    await store.delete('a');
    await store.delete('never-set');
    expect(await store.get('a')).toBeUndefined();
    expect(await store.get('b')).toBe('2');
    expect(readdirSync(join(f, '..'))).toEqual(['secrets.json']);
  });

  it('says it is not encrypted with the plain codec', () => {
    expect(new FileSecretStore(file()).describe()).toEqual({ encrypted: false, backend: 'plain file (not encrypted)' });
  });

  it('refuses a file that is not a secrets map instead of overwriting it', async () => {
    const f = file();
    writeFileSync(f, '["not", "a", "map"]');
    await expect(new FileSecretStore(f).set('a', '1')).rejects.toThrow(/is not a secrets file/);
    expect(readFileSync(f, 'utf8')).toBe('["not", "a", "map"]');
  });

  it('stores what the codec encodes, and re-encodes stale values on read', async () => {
    let key = 1;
    const codec: SecretCodec = {
      name: 'test cipher',
      encrypted: true,
      encode: async (v) => `k${key}:${Buffer.from(v).toString('base64')}`,
      decode: async (s) => {
        const [k, b64] = s.split(':') as [string, string];
        return { value: Buffer.from(b64, 'base64').toString(), stale: k !== `k${key}` };
      },
    };
    const f = file();
    const store = new FileSecretStore(f, codec);
    await store.set('sip.password', 'hunter2');
    expect(readFileSync(f, 'utf8')).not.toContain('hunter2');
    expect(JSON.parse(readFileSync(f, 'utf8'))['sip.password']).toBe(`k1:${Buffer.from('hunter2').toString('base64')}`);
    key = 2; // the OS rotated its key
    expect(await store.get('sip.password')).toBe('hunter2');
    expect(JSON.parse(readFileSync(f, 'utf8'))['sip.password']).toMatch(/^k2:/);
    expect(store.describe()).toEqual({ encrypted: true, backend: 'test cipher' });
  });
});

describe('MemorySecretStore', () => {
  it('round-trips and forgets', async () => {
    const s = new MemorySecretStore();
    await s.set('a', 'x');
    expect(await s.get('a')).toBe('x');
    await s.delete('a');
    expect(await s.get('a')).toBeUndefined();
    expect(s.describe().encrypted).toBe(false);
  });
});
