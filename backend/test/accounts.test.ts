// Accounts: sign-in with SIP settings, sessions (hashes only, expiry, revocation), SIP passwords sealed
// at rest, password rules, the last admin, login throttling, and the create-admin command.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../shared/sync/api';
import { hashToken } from '../auth/tokens';
import { SecretBox } from '../auth/secret-box';
import { getSip } from '../auth/accounts';
import { startBackend } from '../server';
import { TEST_COST } from '../auth/passwords';
import { Client, DB_KINDS, PASSWORD, freshDatabase, listen, startTestBackend, type TestBackend } from './support/backend';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function runCli(args: string[], env: Record<string, string>, stdin?: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'backend/cli.ts', ...args], {
      cwd: new URL('../..', import.meta.url).pathname,
      env: { ...process.env, ...env, DATABASE_URL: env.DATABASE_URL ?? '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
    child.stdin.end(stdin ?? '');
  });
}

describe.each(DB_KINDS)('accounts on %s', (kind) => {
  let b: TestBackend;
  beforeAll(async () => {
    b = await startTestBackend(kind);
  });
  afterAll(() => b?.close());

  it('signs in with one password and hands the agent its SIP account', async () => {
    const r = await b.client.req<Session>('POST', '/v1/auth/login', { json: { username: 'AGENT-A', password: PASSWORD } });
    expect(r.status).toBe(200);
    expect(r.json.token).toMatch(/^ll1_[A-Za-z0-9_-]{43}$/);
    expect(r.json.user).toMatchObject({ username: 'agent-a', role: 'agent', teamId: b.fixture.teams.alpha, hasSip: true });
    expect(r.json.team?.name).toBe('Alpha');
    expect(r.json.sip).toEqual({ wsUrl: 'ws://127.0.0.1:8080', sipUri: 'sip:1001@127.0.0.1', authUser: '1001', displayName: 'agent-a', password: 'sip-secret-1001' });
    expect(r.json.expiresAt).toBeGreaterThan(Date.now());
    const admin = await b.client.req<Session>('POST', '/v1/auth/login', { json: { username: 'admin', password: PASSWORD } });
    expect(admin.json.sip).toBeNull();
    // The database holds the token's hash, never the token.
    const rows = await b.db.query<{ token_hash: string }>('SELECT token_hash FROM sessions');
    expect(rows.some((s) => s.token_hash === hashToken(r.json.token))).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(r.json.token);
  });

  it('refuses wrong passwords, unknown users and disabled accounts with the same 401', async () => {
    const wrong = await b.client.req<{ error: { code: string; message: string } }>('POST', '/v1/auth/login', { json: { username: 'agent-a', password: 'nope nope nope' } });
    const unknown = await b.client.req<{ error: { code: string; message: string } }>('POST', '/v1/auth/login', { json: { username: 'nobody', password: 'nope nope nope' } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.json.error).toEqual(unknown.json.error);
    expect((await b.client.req('POST', '/v1/auth/login', { json: { username: 'agent-a' } })).status).toBe(400);
    expect((await b.client.req('POST', '/v1/auth/login', { body: '{"username":', headers: { 'content-type': 'application/json' } })).status).toBe(400);
  });

  it('keeps SIP passwords sealed at rest, bound to their user and key', async () => {
    const [row] = await b.db.query<{ password_box: string }>('SELECT password_box FROM sip_accounts WHERE user_id = $1', [b.fixture.users.agentA.id]);
    expect(row?.password_box).toMatch(/^v1\./);
    expect(row?.password_box).not.toContain('sip-secret');
    expect((await getSip(b.db, b.box, b.fixture.users.agentA.id))?.password).toBe('sip-secret-1001');
    await expect(getSip(b.db, SecretBox.fromKey(randomBytes(32)), b.fixture.users.agentA.id)).rejects.toThrow(/cannot be decrypted/);
    // Moving agent A's sealed password onto agent B does not give B that password.
    await b.db.query('UPDATE sip_accounts SET password_box = $1 WHERE user_id = $2', [row!.password_box, b.fixture.users.agentB.id]);
    await expect(getSip(b.db, b.box, b.fixture.users.agentB.id)).rejects.toThrow(/cannot be decrypted/);
    const r = await b.client.req<{ error: { message: string } }>('PUT', `/v1/users/${b.fixture.users.agentB.id}/sip`, {
      token: b.tokens.admin,
      json: { wsUrl: 'ws://127.0.0.1:8080', sipUri: 'sip:1002@127.0.0.1', authUser: '1002', displayName: 'agent-b', password: 'sip-secret-1002' },
    });
    expect(r.status).toBe(204);
    const bad = await b.client.req<{ error: { message: string } }>('PUT', `/v1/users/${b.fixture.users.agentB.id}/sip`, {
      token: b.tokens.admin,
      json: { wsUrl: 'http://x', sipUri: 'nope', authUser: '', displayName: '', password: '' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/wsUrl|sipUri/);
  });

  it('ends sessions on logout, password change, admin reset and disable; role changes apply at once', async () => {
    const c = b.client;
    const t1 = await c.login('sup-b');
    const t2 = await c.login('sup-b');
    expect((await c.req('POST', '/v1/auth/logout', { token: t1 })).status).toBe(204);
    expect((await c.req('GET', '/v1/auth/me', { token: t1 })).status).toBe(401);
    expect((await c.req('GET', '/v1/auth/me', { token: t2 })).status).toBe(200);

    // Own password change keeps this session and ends the others.
    const t3 = await c.login('sup-b');
    const short = await c.req<{ error: { message: string } }>('PUT', '/v1/auth/password', { token: t3, json: { current: PASSWORD, next: 'short' } });
    expect(short.status).toBe(400);
    expect(short.json.error.message).toContain('at least 10 characters');
    expect((await c.req('PUT', '/v1/auth/password', { token: t3, json: { current: 'wrong wrong wrong', next: 'a new password 1' } })).status).toBe(403);
    expect((await c.req('PUT', '/v1/auth/password', { token: t3, json: { current: PASSWORD, next: 'a new password 1' } })).status).toBe(204);
    expect((await c.req('GET', '/v1/auth/me', { token: t3 })).status).toBe(200);
    expect((await c.req('GET', '/v1/auth/me', { token: t2 })).status).toBe(401);
    await expect(c.login('sup-b')).rejects.toThrow(/401/);

    // An admin reset ends every session of the user.
    const id = b.fixture.users.supB.id;
    expect((await c.req('PUT', `/v1/users/${id}/password`, { token: b.tokens.admin, json: { password: PASSWORD } })).status).toBe(204);
    expect((await c.req('GET', '/v1/auth/me', { token: t3 })).status).toBe(401);

    // Promotion is effective on the next request of an existing session.
    const agent = await c.login('agent-b');
    const members = `/v1/teams/${b.fixture.teams.beta}/members`;
    expect((await c.req('GET', members, { token: agent })).status).toBe(403);
    expect((await c.req('PATCH', `/v1/users/${b.fixture.users.agentB.id}`, { token: b.tokens.admin, json: { role: 'supervisor' } })).status).toBe(200);
    expect((await c.req('GET', members, { token: agent })).status).toBe(200);

    // Disabling signs the user out everywhere and keeps them out.
    expect((await c.req('PATCH', `/v1/users/${b.fixture.users.agentB.id}`, { token: b.tokens.admin, json: { disabled: true } })).status).toBe(200);
    expect((await c.req('GET', '/v1/auth/me', { token: agent })).status).toBe(401);
    await expect(c.login('agent-b')).rejects.toThrow(/401/);
    expect((await c.req('PATCH', `/v1/users/${b.fixture.users.agentB.id}`, { token: b.tokens.admin, json: { disabled: false, role: 'agent' } })).status).toBe(200);
    expect(await c.login('agent-b')).toMatch(/^ll1_/);
  });

  it('validates user and team writes with clear 4xx answers', async () => {
    const c = b.client;
    const admin = b.tokens.admin;
    const dup = await c.req<{ error: { code: string; message: string } }>('POST', '/v1/users', { token: admin, json: { username: 'Agent-A', displayName: 'x', role: 'agent', password: PASSWORD } });
    expect(dup.status).toBe(409);
    expect(dup.json.error.message).toContain('taken');
    const cases: [unknown, RegExp][] = [
      [{ username: 'a b', displayName: 'x', role: 'agent', password: PASSWORD }, /username/],
      [{ username: 'new-one', displayName: 'x', role: 'boss', password: PASSWORD }, /role/],
      [{ username: 'new-one', displayName: 'x', role: 'agent', password: 'short' }, /password/],
      [{ username: 'new-one', displayName: 'x', role: 'agent', password: PASSWORD, extra: 1 }, /extra|Unrecognized/i],
      [{ username: 'new-one', displayName: 'x', role: 'agent', password: PASSWORD, teamId: 99_999 }, /team/],
    ];
    for (const [json, msg] of cases) {
      const r = await c.req<{ error: { message: string } }>('POST', '/v1/users', { token: admin, json });
      expect(r.status, JSON.stringify(json)).toBe(400);
      expect(r.json.error.message).toMatch(msg);
    }
    expect((await c.req('GET', '/v1/users/abc', { token: admin })).status).toBe(400);
    expect((await c.req('GET', '/v1/users/999999', { token: admin })).status).toBe(404);
    expect((await c.req('PATCH', `/v1/users/${b.fixture.users.agentA.id}`, { token: admin, json: {} })).status).toBe(400);
    expect((await c.req('POST', '/v1/teams', { token: admin, json: { name: 'alpha' } })).status).toBe(409);
    const busy = await c.req<{ error: { message: string } }>('DELETE', `/v1/teams/${b.fixture.teams.alpha}`, { token: admin });
    expect(busy.status).toBe(409);
    expect(busy.json.error.message).toContain('members');
  });

  it('never leaves the system without an active admin', async () => {
    const c = b.client;
    const id = b.fixture.users.admin.id;
    const token = await c.login('admin');
    for (const [method, path, json] of [
      ['PATCH', `/v1/users/${id}`, { disabled: true }],
      ['PATCH', `/v1/users/${id}`, { role: 'agent' }],
      ['DELETE', `/v1/users/${id}`, undefined],
    ] as const) {
      const r = await c.req<{ error: { message: string } }>(method, path, { token, ...(json ? { json } : {}) });
      expect(r.status, `${method} ${path}`).toBe(409);
      expect(r.json.error.message).toContain('no active admin');
    }
  });

  it('expires sessions after their lifetime', async () => {
    const { app, url } = await listen(b.db, b.box, { sessionTtlMs: 300 });
    try {
      const c = new Client(url);
      const token = await c.login('agent-a');
      expect((await c.req('GET', '/v1/auth/me', { token })).status).toBe(200);
      await sleep(400);
      const r = await c.req<{ error: { message: string } }>('GET', '/v1/auth/me', { token });
      expect(r.status).toBe(401);
      expect(r.json.error.message).toContain('expired');
    } finally {
      await app.close();
    }
  });

  it('slows down password guessing with 429 and Retry-After', async () => {
    const { app, url } = await listen(b.db, b.box, { throttle: { windowMs: 60_000, perUser: 3, perAddress: 100 } });
    try {
      const c = new Client(url);
      for (let i = 0; i < 3; i++) expect((await c.req('POST', '/v1/auth/login', { json: { username: 'sup-a', password: 'guess guess guess' } })).status).toBe(401);
      const limited = await c.req('POST', '/v1/auth/login', { json: { username: 'sup-a', password: PASSWORD } });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      // Other users are not affected.
      expect(await c.login('agent-a')).toMatch(/^ll1_/);
    } finally {
      await app.close();
    }
  });
});

describe.each(DB_KINDS)('create-admin command on %s', (kind) => {
  it('creates the first admin, who can then sign in and manage users', async () => {
    const key = SecretBox.newKeyBase64();
    const password = 'first admin password';
    if (kind === 'postgres') {
      const database = await freshDatabase('postgres');
      try {
        const env = { DATABASE_URL: database.url!, LIANLUO_BACKEND_KEY: key };
        const r = await runCli(['create-admin', '--username', 'root', '--password-stdin'], env, `${password}\n`);
        expect(r.code, r.out).toBe(0);
        expect(r.out).toContain('created admin root');
        expect(r.out).not.toContain(password);
        const bad = await runCli(['create-admin', '--username', 'root2', '--password-stdin'], env, 'short\n');
        expect(bad.code).toBe(1);
        expect(bad.out).toContain('at least 10 characters');
        const { app, url } = await listen(database.db, SecretBox.fromBase64(key));
        try {
          const c = new Client(url);
          const token = await c.login('root', password);
          expect((await c.req('POST', '/v1/teams', { token, json: { name: 'Ops' } })).status).toBe(201);
        } finally {
          await app.close();
        }
      } finally {
        await database.drop();
      }
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'lianluo-cli-'));
      try {
        const r = await runCli(['create-admin', '--username', 'root'], { LIANLUO_DATA_DIR: dir });
        expect(r.code, r.out).toBe(0);
        const generated = /password \(shown once\): (\S+)/.exec(r.out)?.[1];
        expect(generated).toBeTruthy();
        const backend = await startBackend({ target: { kind: 'pglite', dataDir: dir }, box: SecretBox.fromKeyFile(join(dir, 'backend.key')), passwordCost: TEST_COST });
        try {
          const c = new Client(backend.url);
          const token = await c.login('root', generated!);
          expect((await c.req('GET', '/v1/users', { token })).status).toBe(200);
        } finally {
          await backend.close();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }, 60_000);
});
