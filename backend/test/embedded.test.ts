// The embedded default: PGlite under a data folder, demo users and customers on first start, the same
// data and sign-ins after a restart, one process per folder, and `serve --ready-json` for a parent process.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Session } from '../../shared/sync/api';
import { DataDirBusyError, startEmbeddedBackend } from '../server';
import type { DemoAccount } from '../demo/seed';
import { SCHEMA_VERSION } from '../db/migrate';
import { Client } from './support/backend';
import { Mirror } from './support/sync-client';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'lianluo-embedded-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('embedded backend (PGlite)', () => {
  it('seeds demo data once, keeps it across restarts, and refuses a second process on the folder', async () => {
    const dir = tempDir();
    const first = await startEmbeddedBackend({ dataDir: dir, demoCustomers: 300 });
    let accounts: DemoAccount[];
    try {
      expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      accounts = first.demoAccounts!;
      expect(accounts.map((a) => [a.username, a.role, a.sipUri])).toEqual([
        ['admin', 'admin', null],
        ['lead', 'supervisor', null],
        ['agent1001', 'agent', 'sip:1001@127.0.0.1'],
        ['agent1002', 'agent', 'sip:1002@127.0.0.1'],
      ]);
      expect(statSync(join(dir, 'demo-accounts.json')).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, 'backend.key')).mode & 0o777).toBe(0o600);
      await expect(startEmbeddedBackend({ dataDir: dir })).rejects.toThrow(DataDirBusyError);

      const c = new Client(first.url);
      const login = await c.req<Session>('POST', '/v1/auth/login', { json: { username: 'agent1001', password: accounts[2]!.password } });
      expect(login.status).toBe(200);
      // The local test PBX's account (test/rig/users).
      expect(login.json.sip).toEqual({ wsUrl: 'ws://127.0.0.1:8080', sipUri: 'sip:1001@127.0.0.1', authUser: '1001', displayName: 'Agent 1001', password: 'lianluo' });
      const m = new Mirror();
      await m.pull(first.url, login.json.token, 'customers');
      await m.pull(first.url, login.json.token, 'interactions');
      expect(m.customers.size).toBe(300);
      expect(m.customers.get('C-STORY-1')?.phones[0]?.e164).toBe('+8613800138000');
      expect([...m.interactions.values()].filter((i) => i.customerId === 'C-STORY-1')).toHaveLength(3);
    } finally {
      await first.close();
    }

    const again = await startEmbeddedBackend({ dataDir: dir, demoCustomers: 300 });
    try {
      expect(again.demoAccounts).toEqual(accounts);
      const c = new Client(again.url);
      const token = await c.login('agent1002', accounts[3]!.password);
      const m = new Mirror();
      await m.pull(again.url, token, 'customers');
      expect(m.customers.size).toBe(300);
    } finally {
      await again.close();
    }
  }, 120_000);

  it('serve --ready-json tells a parent process where it listens', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, ['--import', 'tsx', 'backend/cli.ts', 'serve', '--ready-json'], {
      cwd: new URL('../..', import.meta.url).pathname,
      env: { ...process.env, DATABASE_URL: '', LIANLUO_DATA_DIR: dir, PORT: '0', LIANLUO_DEMO_CUSTOMERS: '50', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const ready = await new Promise<{ url: string; database: string; demoAccountsFile: string }>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d;
          const line = out.split('\n').find((l) => l.startsWith('{'));
          if (line) resolve((JSON.parse(line) as { ready: { url: string; database: string; demoAccountsFile: string } }).ready);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      expect(ready.database).toBe('pglite');
      const accounts = JSON.parse(readFileSync(ready.demoAccountsFile, 'utf8')) as DemoAccount[];
      const health = await fetch(`${ready.url}/v1/health`);
      expect(await health.json()).toEqual({ ok: true, protocol: 1, schema: SCHEMA_VERSION, database: 'pglite' });
      expect(await new Client(ready.url).login('admin', accounts[0]!.password)).toMatch(/^ll1_/);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    // A clean shutdown releases the folder.
    expect(() => statSync(join(dir, 'backend.lock'))).toThrow();
  }, 120_000);
});
