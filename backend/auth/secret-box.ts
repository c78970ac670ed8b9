// SIP passwords at rest. The desktop needs the password itself (it registers with the PBX), so it cannot
// be hashed; it is sealed with AES-256-GCM under a server key that is NOT in the database:
//   - LIANLUO_BACKEND_KEY (32 bytes, base64) for servers: every instance on one database needs the same;
//   - <data dir>/backend.key (created 0600 on first start) for the embedded backend.
// A database dump or backup alone reveals no SIP password; someone with the key and the database does.
// The box is bound to its user (AAD), so a sealed password cannot be moved to another account.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const VERSION = 'v1';

export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  static fromKey(key: Buffer): SecretBox {
    if (key.length !== 32) throw new Error(`the backend key must be 32 bytes, got ${key.length}`);
    return new SecretBox(Buffer.from(key));
  }

  /** A key as written in LIANLUO_BACKEND_KEY: base64 (or base64url) of 32 bytes. */
  static fromBase64(text: string): SecretBox {
    const key = Buffer.from(text.trim(), 'base64');
    if (key.length !== 32) throw new Error('LIANLUO_BACKEND_KEY must be 32 random bytes in base64 (create one with: npm run backend -- gen-key)');
    return SecretBox.fromKey(key);
  }

  /** Read the key file, or create it (0600) with a fresh random key. */
  static fromKeyFile(path: string): SecretBox {
    if (!existsSync(path)) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    }
    try {
      chmodSync(path, 0o600);
    } catch {
      /* not ours to fix (e.g. a read-only mount); reading still works */
    }
    return SecretBox.fromBase64(readFileSync(path, 'utf8'));
  }

  static newKeyBase64(): string {
    return randomBytes(32).toString('base64');
  }

  seal(plain: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context));
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
  }

  /** Throws if the box was altered, moved to another context, or sealed under another key. */
  open(box: string, context: string): string {
    const [version, iv, tag, ct] = box.split('.');
    if (version !== VERSION || iv === undefined || tag === undefined || ct === undefined) throw new Error('not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }
}
