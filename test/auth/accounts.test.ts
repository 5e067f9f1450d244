import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DesignerProfile, RefreshToken, User } from '../../src/db/entities/index.js';
import { hashRefreshToken } from '../../src/auth/refresh-tokens.js';
import { bearer, createAuthTestApp, login, PASSWORD, post, register, uniqueName, type AuthTestApp } from './helpers.js';

describe('accounts: register, login, refresh, logout', () => {
  let t: AuthTestApp;
  beforeAll(async () => { t = await createAuthTestApp(); });
  afterAll(async () => { await t?.close(); });

  it('registers a client and logs in with a token pair', async () => {
    const username = uniqueName('client');
    const res = await post(t.app, '/v1/auth/register', { username, email: `${username}@Example.test`, password: PASSWORD });
    expect(res.statusCode).toBe(201);
    const { user } = res.json();
    expect(user).toEqual({ id: expect.any(String), username, email: `${username}@example.test`, role: 'client', totpEnabled: false });
    expect(res.body).not.toContain('scrypt');

    const stored = await t.database.db.dataSource.getRepository(User).findOneByOrFail({ id: user.id });
    expect(stored.passwordHash).toMatch(/^scrypt\$/);
    expect(stored.passwordHash).not.toContain(PASSWORD);

    const loggedIn = await login(t.app, username.toUpperCase());
    expect(loggedIn.statusCode).toBe(200);
    const body = loggedIn.json();
    expect(body).toMatchObject({ tokenType: 'Bearer', expiresIn: t.database.config.jwtAccessTtlS, user: { id: user.id, role: 'client' } });
    expect(t.tokens.verifyAccessToken(body.accessToken)).toMatchObject({ userId: user.id, username, role: 'client' });
    expect(body.refreshToken).toMatch(/^hmr_[A-Za-z0-9_-]{43}$/);

    const me = await t.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(body.accessToken) });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual({ user: { ...user }, recoveryCodesLeft: 0 });
  });

  it('registers a designer with a profile; display names are unique case-insensitively', async () => {
    const displayName = `Studio ${uniqueName('x')}`;
    const { id } = await register(t.app, { role: 'designer', displayName });
    const profile = await t.database.db.dataSource.getRepository(DesignerProfile).findOneByOrFail({ userId: id });
    expect(profile.displayName).toBe(displayName);

    const clash = await post(t.app, '/v1/auth/register', {
      username: uniqueName(), email: `${uniqueName()}@example.test`, password: PASSWORD, role: 'designer', displayName: displayName.toUpperCase(),
    });
    expect(clash.statusCode).toBe(409);
    expect(clash.json().error).toEqual({ code: 'HM_ERR_AUTH_ACCOUNT_EXISTS', message: 'the display name is already taken' });

    const missing = await post(t.app, '/v1/auth/register', { username: uniqueName(), email: `${uniqueName()}@example.test`, password: PASSWORD, role: 'designer' });
    expect(missing.statusCode).toBe(400);
  });

  it('refuses duplicate usernames and emails with 409', async () => {
    const { username } = await register(t.app);
    const sameName = await post(t.app, '/v1/auth/register', { username: username.toUpperCase(), email: `${uniqueName()}@example.test`, password: PASSWORD });
    expect(sameName.statusCode).toBe(409);
    expect(sameName.json().error.code).toBe('HM_ERR_AUTH_ACCOUNT_EXISTS');
    const sameEmail = await post(t.app, '/v1/auth/register', { username: uniqueName(), email: `${username.toUpperCase()}@EXAMPLE.test`, password: PASSWORD });
    expect(sameEmail.statusCode).toBe(409);
    expect(sameEmail.json().error.message).toBe('the email address is already taken');
  });

  it('never lets anyone register as admin, and validates bodies', async () => {
    const base = { username: uniqueName(), email: `${uniqueName()}@example.test`, password: PASSWORD };
    const invalid = [{ ...base, role: 'admin' }, { ...base, password: 'short' }, { ...base, email: 'not-an-email' }, { ...base, username: 'a b' }, { email: base.email, password: PASSWORD }];
    for (const body of invalid) {
      const res = await post(t.app, '/v1/auth/register', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.code).toBe('HM_ERR_REQUEST_INVALID');
    }
    const huge = await post(t.app, '/v1/auth/register', { ...base, displayName: 'x'.repeat(10_000) });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error.code).toBe('HM_ERR_REQUEST_TOO_LARGE');
  });

  it('answers a wrong password and an unknown user alike', async () => {
    const { username } = await register(t.app);
    const wrong = await login(t.app, username, { password: 'wrong password!' });
    const unknown = await login(t.app, uniqueName('ghost'));
    for (const res of [wrong, unknown]) {
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ error: { code: 'HM_ERR_AUTH_INVALID_CREDENTIALS', message: 'wrong username or password' } });
    }
  });

  it('rotates refresh tokens; reusing a rotated one revokes the whole family', async () => {
    const { username } = await register(t.app);
    const first = (await login(t.app, username)).json();
    const second = await post(t.app, '/v1/auth/refresh', { refreshToken: first.refreshToken });
    expect(second.statusCode).toBe(200);
    const pair2 = second.json();
    expect(pair2.refreshToken).not.toBe(first.refreshToken);
    expect(t.tokens.verifyAccessToken(pair2.accessToken).username).toBe(username);

    // Only hashes are stored.
    const rows = await t.database.db.dataSource.getRepository(RefreshToken).findBy({ userId: first.user.id });
    expect(rows).toHaveLength(2);
    expect(rows.map((r) => r.tokenHash).sort()).toEqual([hashRefreshToken(first.refreshToken), hashRefreshToken(pair2.refreshToken)].sort());
    expect(new Set(rows.map((r) => r.familyId)).size).toBe(1);

    // A second login is another family, untouched by what follows.
    const other = (await login(t.app, username)).json();

    const reuse = await post(t.app, '/v1/auth/refresh', { refreshToken: first.refreshToken });
    expect(reuse.statusCode).toBe(401);
    expect(reuse.json().error.code).toBe('HM_ERR_AUTH_REFRESH_INVALID');
    const newer = await post(t.app, '/v1/auth/refresh', { refreshToken: pair2.refreshToken });
    expect(newer.statusCode).toBe(401);

    const untouched = await post(t.app, '/v1/auth/refresh', { refreshToken: other.refreshToken });
    expect(untouched.statusCode).toBe(200);
  });

  it('logout revokes the family; unknown tokens are refused', async () => {
    const { username } = await register(t.app);
    const pair = (await login(t.app, username)).json();
    const rotated = (await post(t.app, '/v1/auth/refresh', { refreshToken: pair.refreshToken })).json();
    const out = await post(t.app, '/v1/auth/logout', { refreshToken: rotated.refreshToken });
    expect(out.statusCode).toBe(204);
    expect((await post(t.app, '/v1/auth/refresh', { refreshToken: rotated.refreshToken })).statusCode).toBe(401);
    expect((await post(t.app, '/v1/auth/logout', { refreshToken: rotated.refreshToken })).statusCode).toBe(204);
    const unknown = await post(t.app, '/v1/auth/refresh', { refreshToken: 'hmr_' + 'A'.repeat(43) });
    expect(unknown.statusCode).toBe(401);
  });

  it('refuses an expired refresh token', async () => {
    const { username } = await register(t.app);
    const pair = (await login(t.app, username)).json();
    await t.database.db.dataSource.getRepository(RefreshToken).update({ tokenHash: hashRefreshToken(pair.refreshToken) }, { expiresAt: new Date(Date.now() - 1000) });
    const res = await post(t.app, '/v1/auth/refresh', { refreshToken: pair.refreshToken });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('HM_ERR_AUTH_REFRESH_INVALID');
  });

  it('two concurrent uses of one refresh token: one wins, the family is then revoked', async () => {
    const { username } = await register(t.app);
    const pair = (await login(t.app, username)).json();
    const results = await Promise.all([1, 2].map(() => post(t.app, '/v1/auth/refresh', { refreshToken: pair.refreshToken })));
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 401]);
    const winner = results.find((r) => r.statusCode === 200)!.json();
    expect((await post(t.app, '/v1/auth/refresh', { refreshToken: winner.refreshToken })).statusCode).toBe(401);
  });

  it('sends security headers', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toBeDefined();
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
  });
});
