import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RefreshTokenStore } from '../../src/auth/refresh-tokens.js';
import { verifyPassword } from '../../src/auth/passwords.js';
import { User } from '../../src/db/entities/index.js';
import { readDemoAccounts, saveDemoAccounts } from '../../src/demo/accounts.js';
import { bearer, createAuthTestApp, post, type AuthTestApp } from '../auth/helpers.js';

/** `holomesh users …` and `holomesh devices …`, run as installed (bin/holomesh.js → dist/). */

const BIN = fileURLToPath(new URL('../../bin/holomesh.js', import.meta.url));

interface Outcome { readonly code: number; readonly stdout: string; readonly stderr: string }

function holomesh(args: string[], env: NodeJS.ProcessEnv, stdin = ''): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { env: { ...process.env, DATABASE_URL: '', REDIS_URL: '', LOG_LEVEL: 'silent', ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? (err as { code?: number }).code ?? 1 : 0, stdout, stderr });
    });
    child.stdin!.end(stdin);
  });
}

const STRONG = 'violet kettle drums at noon';

describe.skipIf(!process.env.DATABASE_URL)('holomesh users and devices (PostgreSQL of DATABASE_URL)', () => {
  let t: AuthTestApp;
  let scratch: string;
  let env: NodeJS.ProcessEnv;
  const run = (args: string[], stdin = '') => holomesh(args, env, stdin);
  const userRow = (username: string) => t.database.db.dataSource.getRepository(User).findOneByOrFail({ username });
  /** A live login of `username`: its refresh token, to see whether a command signed it out. */
  const signIn = async (username: string) => new RefreshTokenStore(t.database.db.dataSource, 3600).issue((await userRow(username)).id);
  const isSignedIn = async (refreshToken: string) => (await post(t.app, '/v1/auth/refresh', { refreshToken })).statusCode === 200;

  beforeAll(async () => {
    t = await createAuthTestApp();
    scratch = await mkdtemp(join(tmpdir(), 'holomesh-cli-accounts-'));
    env = { DATABASE_URL: t.database.config.databaseUrl, DATA_DIR: scratch };
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await rm(scratch, { recursive: true, force: true });
  });

  it('users add: the password comes from standard input and the policy applies', async () => {
    const weak = await run(['users', 'add', 'robin', '--email', 'robin@example.test'], 'password1234\n');
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain('choose another password');
    const none = await run(['users', 'add', 'robin', '--email', 'robin@example.test'], '');
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no password given');

    const added = await run(['users', 'add', 'Robin', '--email', 'robin@example.test', '--role', 'admin'], `${STRONG}\n`);
    expect(added, added.stderr).toMatchObject({ code: 0, stdout: 'created robin (admin)\n' });
    expect(await verifyPassword(STRONG, (await userRow('robin')).passwordHash)).toBe(true);
    const login = await post(t.app, '/v1/auth/login', { username: 'robin', password: STRONG });
    expect(login.statusCode).toBe(200);

    const twice = await run(['users', 'add', 'robin', '--email', 'other@example.test'], `${STRONG}\n`);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('the username is already taken');
  }, 120_000);

  it('users list: every account with role and state, also as JSON', async () => {
    const out = await run(['users', 'list', '--json']);
    expect(out.code, out.stderr).toBe(0);
    const rows = out.stdout.trim().split('\n').map((l) => JSON.parse(l) as { username: string; role: string; disabled: boolean });
    expect(rows).toContainEqual(expect.objectContaining({ username: 'alex', role: 'client', disabled: false }));
    expect(rows).toContainEqual(expect.objectContaining({ username: 'admin', role: 'admin' }));
    const table = await run(['users', 'list']);
    expect(table.stdout.split('\n')[0]).toMatch(/^USERNAME\s+ROLE\s+2FA\s+STATE/);
  }, 120_000);

  it('users passwd: sets the password, signs the user out everywhere and takes them off the demo accounts\' file', async () => {
    await saveDemoAccounts(scratch, [{ username: 'sam', role: 'client', password: 'the seed gave sam this' }, { username: 'alex', role: 'client', password: 'the seed gave alex this' }]);
    const session = await signIn('sam');
    const out = await run(['users', 'passwd', 'Sam'], 'a brand new passphrase for sam\n');
    expect(out.code, out.stderr).toBe(0);
    expect(await verifyPassword('a brand new passphrase for sam', (await userRow('sam')).passwordHash)).toBe(true);
    expect(await isSignedIn(session)).toBe(false);
    expect(out.stdout).toContain("sam is no longer listed in the demo accounts' file");
    expect((await readDemoAccounts(scratch)).map((a) => a.username)).toEqual(['alex']);
    expect((await stat(join(scratch, 'demo-accounts.txt'))).mode & 0o777).toBe(0o600);
    const missing = await run(['users', 'passwd', 'nobody-here'], `${STRONG}\n`);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('a user named "nobody-here" not found');
  }, 120_000);

  it('users role: a new designer needs a display name; the change signs the user out', async () => {
    await run(['users', 'add', 'quinn', '--email', 'quinn@example.test'], `${STRONG}\n`);
    const session = await signIn('quinn');
    const refused = await run(['users', 'role', 'quinn', 'designer']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--display-name');
    expect((await userRow('quinn')).role).toBe('client');
    expect(await isSignedIn(session)).toBe(true);

    const out = await run(['users', 'role', 'quinn', 'designer', '--display-name', 'Quinn Vega']);
    expect(out.code, out.stderr).toBe(0);
    expect((await userRow('quinn')).role).toBe('designer');
    const [profile] = await t.database.db.dataSource.query('SELECT display_name FROM designer_profiles WHERE user_id = $1', [(await userRow('quinn')).id]) as { display_name: string }[];
    expect(profile!.display_name).toBe('Quinn Vega');
    expect(await isSignedIn(session)).toBe(false);
  }, 120_000);

  it('devices add | list | revoke: the token works on commands until revoked', async () => {
    const added = await run(['devices', 'add', '--user', 'alex', '--name', 'kitchen']);
    expect(added.code, added.stderr).toBe(0);
    const token = added.stdout.trim();
    expect(token).toMatch(/^hmd_/);
    expect(added.stderr).toContain('not shown again');
    const ok = await post(t.app, '/v1/commands', { text: 'what is my balance' }, { headers: bearer(token) });
    expect(ok.statusCode).toBe(200);

    const listed = await run(['devices', 'list', '--user', 'alex', '--json']);
    const devices = listed.stdout.trim().split('\n').map((l) => JSON.parse(l) as { name: string; lastUsedAt: string | null });
    expect(devices).toEqual([expect.objectContaining({ name: 'kitchen', lastUsedAt: expect.any(String) })]);
    expect(listed.stdout).not.toContain(token);

    const revoked = await run(['devices', 'revoke', '--user', 'alex', '--name', 'Kitchen']);
    expect(revoked, revoked.stderr).toMatchObject({ code: 0, stdout: expect.stringContaining('revoked device "kitchen" of alex') });
    const refused = await post(t.app, '/v1/commands', { text: 'what is my balance' }, { headers: bearer(token) });
    expect(refused.statusCode).toBe(401);
    expect((await run(['devices', 'list', '--user', 'alex'])).stdout).toContain('alex has no device credentials');
  }, 120_000);

  it('users disable: no sign-in, sessions and device credentials end; enable lets the user in again', async () => {
    await run(['users', 'add', 'morgan', '--email', 'morgan@example.test'], `${STRONG}\n`);
    const session = await signIn('morgan');
    const token = (await run(['devices', 'add', '--user', 'morgan', '--name', 'headset'])).stdout.trim();
    expect((await post(t.app, '/v1/commands', { text: 'what is my balance' }, { headers: bearer(token) })).statusCode).toBe(200);

    const out = await run(['users', 'disable', 'morgan']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain('1 device credential(s) revoked');
    expect(await isSignedIn(session)).toBe(false);
    expect((await post(t.app, '/v1/commands', { text: 'what is my balance' }, { headers: bearer(token) })).statusCode).toBe(401);
    const login = await post(t.app, '/v1/auth/login', { username: 'morgan', password: STRONG });
    expect(login.statusCode).toBe(403);
    expect(login.json().error.code).toBe('HM_ERR_AUTH_ACCOUNT_DISABLED');
    const wrong = await post(t.app, '/v1/auth/login', { username: 'morgan', password: 'not the password at all' });
    expect(wrong.json().error.code).toBe('HM_ERR_AUTH_INVALID_CREDENTIALS');
    const jwt = await run(['token', '--user', 'morgan']);
    expect(jwt.code).toBe(1);
    expect(jwt.stderr).toContain('morgan is disabled');

    expect((await run(['users', 'enable', 'morgan'])).code).toBe(0);
    expect((await post(t.app, '/v1/auth/login', { username: 'morgan', password: STRONG })).statusCode).toBe(200);
    // Revoked devices stay revoked.
    expect((await post(t.app, '/v1/commands', { text: 'what is my balance' }, { headers: bearer(token) })).statusCode).toBe(401);
  }, 120_000);
});

describe('holomesh users with the embedded database', () => {
  let scratch: string;
  beforeAll(async () => { scratch = await mkdtemp(join(tmpdir(), 'holomesh-cli-embedded-')); });
  afterAll(async () => { await rm(scratch, { recursive: true, force: true }); });

  it('adds and lists accounts in DATA_DIR', async () => {
    const env = { DATA_DIR: scratch };
    const none = await holomesh(['users', 'list'], env);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`no database in ${scratch}`);
    expect((await holomesh(['migrate'], env)).code).toBe(0);
    const added = await holomesh(['users', 'add', 'river', '--email', 'river@example.test'], env, `${STRONG}\n`);
    expect(added, added.stderr).toMatchObject({ code: 0, stdout: 'created river (client)\n' });
    const listed = await holomesh(['users', 'list'], env);
    expect(listed.stdout).toMatch(/^river\s+client\s+off\s+active/m);
  }, 180_000);
});
