// Secrets (the SIP password; later the backend session token) never live in settings or the renderer's
// storage. The Electron build keeps them encrypted with the OS keychain (electron/safe-storage-secrets.ts);
// `npm run web` has no keychain and uses FileSecretStore, which says loudly that it is not encrypted.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface SecretStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
  /** For the settings screen and the logs: is this store really encrypted, and by what. */
  describe(): { encrypted: boolean; backend: string };
}

export class MemorySecretStore implements SecretStore {
  private readonly map = new Map<string, string>();
  async get(key: string) {
    return this.map.get(key);
  }
  async set(key: string, value: string) {
    this.map.set(key, value);
  }
  async delete(key: string) {
    this.map.delete(key);
  }
  describe() {
    return { encrypted: false, backend: 'memory' };
  }
}

export interface SecretCodec {
  encode(plain: string): Promise<string>;
  /** `stale`: the value should be encoded again (the OS rotated its key). */
  decode(stored: string): Promise<{ value: string; stale?: boolean }>;
  name: string;
  encrypted: boolean;
}

export const PLAIN_CODEC: SecretCodec = {
  encode: async (v) => v,
  decode: async (v) => ({ value: v }),
  name: 'plain file (not encrypted)',
  encrypted: false,
};

/** A JSON map of key → string in a file only the user can read. Values are transformed by the codec. */
export class FileSecretStore implements SecretStore {
  constructor(
    private readonly file: string,
    private readonly codec: SecretCodec = PLAIN_CODEC,
  ) {}

  private read(): Record<string, string> {
    if (!existsSync(this.file)) return {};
    const v: unknown = JSON.parse(readFileSync(this.file, 'utf8'));
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error(`${this.file} is not a secrets file`);
    return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'));
  }

  private write(map: Record<string, string>) {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(map), { mode: 0o600 });
    renameSync(tmp, this.file);
  }

  async get(key: string) {
    const stored = this.read()[key];
    if (stored === undefined) return undefined;
    const { value, stale } = await this.codec.decode(stored);
    if (stale) await this.set(key, value);
    return value;
  }
  async set(key: string, value: string) {
    const map = this.read();
    map[key] = await this.codec.encode(value);
    this.write(map);
  }
  async delete(key: string) {
    const map = this.read();
    delete map[key];
    this.write(map);
  }
  describe() {
    return { encrypted: this.codec.encrypted, backend: this.codec.name };
  }
}
