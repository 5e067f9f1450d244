import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountService } from '../../src/auth/accounts.js';
import { PASSWORD_COST } from '../../src/auth/passwords.js';
import { currentTotp } from '../../src/auth/totp.js';
import { MemorySessionStore } from '../../src/cache/index.js';
import { loadConfig } from '../../src/config.js';
import { User } from '../../src/db/entities/index.js';
import { tokenTimerDelay } from '../../src/ws/voice-routes.js';
import { TEST_JWT_SECRET } from '../helpers/database.js';
import { bearer, createAuthTestApp, login, PASSWORD, post, register, uniqueName, type AuthTestApp } from './helpers.js';

describe('the lesser holes (issue 16, item 8)', () => {
  let t: AuthTestApp;
  beforeAll(async () => { t = await createAuthTestApp({ captureLogs: true, env: { LOGIN_FAILURE_LIMIT: '100' } }); });
  afterAll(async () => { await t?.close(); });

  const tokenOf = async (username: string) => {
    const user = await t.database.db.dataSource.getRepository(User).findOneByOrFail({ username });
    return t.tokens.issueAccessToken({ userId: user.id, username, role: user.role });
  };

  it('a TOTP code stays spent when the session store restarts (the last step is in PostgreSQL)', async () => {
    const { username } = await register(t.app);
    const { accessToken } = (await login(t.app, username)).json();
    const { secret } = (await post(t.app, '/v1/auth/2fa/setup', { password: PASSWORD }, { headers: bearer(accessToken) })).json() as { secret: string };
    const code = await currentTotp(secret, Math.floor(Date.now() / 1000) + 30);
    expect((await post(t.app, '/v1/auth/2fa/confirm', { code }, { headers: bearer(accessToken) })).statusCode).toBe(200);
    // Another instance whose session store is empty (Redis restarted or flushed).
    const restarted = new AccountService({
      dataSource: t.database.db.dataSource, sessionStore: new MemorySessionStore(), tokens: t.tokens,
      refreshTtlS: 600, sessionMaxAgeS: 3600, require2faRoles: [],
    });
    await expect(restarted.authenticate(username, PASSWORD, code)).rejects.toMatchObject({ code: 'HM_ERR_AUTH_TOTP_INVALID' });
  });

  it('a token of a deleted account gets 401 on /v1/commands, and the command text never reaches the log', async () => {
    const { username, id } = await register(t.app);
    const token = await tokenOf(username);
    await t.database.db.dataSource.query('DELETE FROM client_profiles WHERE user_id = $1', [id]);
    await t.database.db.dataSource.query('DELETE FROM users WHERE id = $1', [id]);
    const marker = 'what is my balance zebra-transcript-marker';
    const res = await t.app.inject({ method: 'POST', url: '/v1/commands', headers: bearer(token), payload: { text: marker } });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('HM_ERR_AUTH_REQUIRED');
    expect(t.logs.join('')).not.toContain('zebra-transcript-marker');
  });

  it('?token= is not read on HTTP routes (only on the WebSocket upgrade)', async () => {
    const token = await tokenOf('alex');
    expect((await t.app.inject({ method: 'GET', url: `/v1/auth/me?token=${token}` })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(token) })).statusCode).toBe(200);
  });

  it('refuses short, common and patterned passwords at registration and on change', async () => {
    for (const password of ['          ', 'aaaaaaaaaa', 'aaaaaaaaaaaa', 'password1234', 'P@ssw0rd2024!', 'qwerty123456', '123456789012', 'abcabcabcabc']) {
      const username = uniqueName();
      const res = await post(t.app, '/v1/auth/register', { username, email: `${username}@example.test`, password });
      expect(res.statusCode, password).toBe(400);
      expect(res.json().error.code, password).toMatch(/^HM_ERR_(AUTH_PASSWORD_WEAK|REQUEST_INVALID)$/);
    }
    const { username } = await register(t.app);
    const { accessToken } = (await login(t.app, username)).json();
    const weak = await post(t.app, '/v1/auth/password', { currentPassword: PASSWORD, newPassword: `${username}-2024!` }, { headers: bearer(accessToken) });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().error.code).toBe('HM_ERR_AUTH_PASSWORD_WEAK');
  });

  it('money amounts in JSON bodies must be JSON integers ("0x10", true and [7] are refused)', async () => {
    const admin = bearer(await tokenOf('admin'));
    for (const credits of ['0x10', '16', true, [7]]) {
      const res = await t.app.inject({ method: 'POST', url: '/v1/wallet/top-up', headers: admin, payload: { username: 'alex', credits } });
      expect(res.statusCode, JSON.stringify(credits)).toBe(400);
      expect(res.json().error.code).toBe('HM_ERR_REQUEST_INVALID');
    }
    const ok = await t.app.inject({ method: 'POST', url: '/v1/wallet/top-up', headers: admin, payload: { username: 'alex', credits: 16 } });
    expect(ok.statusCode).toBe(200);
  });

  it('refuses a token without exp', async () => {
    const alex = t.tokens.verifyAccessToken(await tokenOf('alex'));
    const forever = jwt.sign({ username: alex.username, role: alex.role }, TEST_JWT_SECRET, { algorithm: 'HS256', subject: alex.userId, issuer: 'holomesh', audience: 'holomesh-api' });
    expect((await t.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(forever) })).statusCode).toBe(401);
  });

  it('hashes passwords with scrypt N=2^17, and rehashes an older, cheaper hash at login', async () => {
    const { username, id } = await register(t.app);
    const hashOf = async () => ((await t.database.db.dataSource.query('SELECT password_hash FROM users WHERE id = $1', [id])) as [{ password_hash: string }])[0].password_hash;
    expect(PASSWORD_COST.N).toBe(2 ** 17);
    expect(await hashOf()).toMatch(/^scrypt\$131072\$8\$1\$/);
    // The same password hashed as before (N=2^15).
    const { scryptSync, randomBytes } = await import('node:crypto');
    const salt = randomBytes(16);
    const old = ['scrypt', 2 ** 15, 8, 1, salt.toString('base64'), scryptSync(PASSWORD, salt, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }).toString('base64')].join('$');
    await t.database.db.dataSource.query('UPDATE users SET password_hash = $2 WHERE id = $1', [id, old]);
    expect((await login(t.app, username)).statusCode).toBe(200);
    expect(await hashOf()).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect((await login(t.app, username)).statusCode).toBe(200);
  });

  it('a WebSocket token living longer than 24.8 days does not overflow its timer', () => {
    const now = Date.now();
    expect(tokenTimerDelay(now + 30 * 86_400_000, now)).toBe(2 ** 31 - 1);
    expect(tokenTimerDelay(now + 60_000, now)).toBe(60_000);
    expect(tokenTimerDelay(now - 1, now)).toBe(0);
  });
});

describe('production refuses guessable secrets', () => {
  const base = { NODE_ENV: 'production', DATA_DIR: '/tmp/unused', FIELD_ENCRYPTION_KEYS: `k1:${Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 97 + 13) % 256)).toString('base64')}` };
  it('a JWT secret of 32 × "a" or an all-zero encryption key', () => {
    expect(() => loadConfig({ ...base, JWT_SECRET: 'a'.repeat(32) })).toThrow(/JWT_SECRET looks guessable/);
    expect(() => loadConfig({ ...base, JWT_SECRET: 'ab'.repeat(24) })).toThrow(/JWT_SECRET looks guessable/);
    expect(() => loadConfig({ ...base, JWT_SECRET: TEST_JWT_SECRET, FIELD_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32).toString('base64')}` })).toThrow(/key "k1" is not random/);
    expect(loadConfig({ ...base, JWT_SECRET: TEST_JWT_SECRET }).isProduction).toBe(true);
  });
});
