import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountService } from '../../src/auth/accounts.js';
import { hashRefreshToken } from '../../src/auth/refresh-tokens.js';
import { createAuthTestApp, login, PASSWORD, post, register, bearer, type AuthTestApp } from './helpers.js';

const NEW_PASSWORD = 'a brand new passphrase 2027';

describe('session lifetime and revocation', () => {
  let t: AuthTestApp;
  beforeAll(async () => { t = await createAuthTestApp({ env: { SESSION_MAX_AGE_S: '3600', JWT_REFRESH_TTL_S: '600' } }); });
  afterAll(async () => { await t?.close(); });

  const refresh = (refreshToken: string) => post(t.app, '/v1/auth/refresh', { refreshToken });
  const familyOf = async (token: string) => {
    const [row] = await t.database.db.dataSource.query('SELECT family_id FROM refresh_tokens WHERE token_hash = $1', [hashRefreshToken(token)]) as [{ family_id: string }];
    return row.family_id;
  };
  const liveTokens = async (familyId: string) => {
    const [{ n }] = await t.database.db.dataSource.query('SELECT count(*)::int AS n FROM refresh_tokens WHERE family_id = $1 AND revoked_at IS NULL', [familyId]) as [{ n: number }];
    return n;
  };
  /** The same database under REQUIRE_2FA_ROLES=designer, as after a restart with the new policy. */
  const withPolicy = () => new AccountService({
    dataSource: t.database.db.dataSource, sessionStore: t.app.sessionStore, tokens: t.tokens,
    refreshTtlS: 600, sessionMaxAgeS: 3600, require2faRoles: ['designer'],
  });

  it('refresh applies the current REQUIRE_2FA_ROLES: a designer without 2FA cannot refresh, and the family is revoked', async () => {
    const { username } = await register(t.app, { role: 'designer', displayName: `Policy ${Date.now()}` });
    const { refreshToken } = (await login(t.app, username)).json();
    const familyId = await familyOf(refreshToken);
    await expect(withPolicy().refresh(refreshToken)).rejects.toMatchObject({ code: 'HM_ERR_AUTH_ENROLMENT_REQUIRED' });
    expect(await liveTokens(familyId)).toBe(0);
  });

  it('a policy change revokes the sessions it no longer allows at start, and leaves the others', async () => {
    const designer = await register(t.app, { role: 'designer', displayName: `Policy B ${Date.now()}` });
    const client = await register(t.app);
    const designerToken = (await login(t.app, designer.username)).json().refreshToken as string;
    const clientToken = (await login(t.app, client.username)).json().refreshToken as string;
    expect(await withPolicy().enforcePolicy()).toBeGreaterThanOrEqual(1);
    expect((await refresh(designerToken)).statusCode).toBe(401);
    expect((await refresh(clientToken)).statusCode).toBe(200);
  });

  it('a session ends SESSION_MAX_AGE_S after its login however often it is refreshed', async () => {
    const { username } = await register(t.app);
    let { refreshToken } = (await login(t.app, username)).json() as { refreshToken: string };
    const familyId = await familyOf(refreshToken);
    // The login was 50 minutes ago: the next token lives only the 10 minutes left, not 10 more.
    await t.database.db.dataSource.query(`UPDATE refresh_tokens SET created_at = now() - interval '3000 seconds' WHERE family_id = $1`, [familyId]);
    const rotated = await refresh(refreshToken);
    expect(rotated.statusCode).toBe(200);
    refreshToken = rotated.json().refreshToken;
    const [{ left }] = await t.database.db.dataSource.query('SELECT extract(epoch FROM expires_at - now())::int AS left FROM refresh_tokens WHERE token_hash = $1', [hashRefreshToken(refreshToken)]) as [{ left: number }];
    expect(left).toBeLessThanOrEqual(600);
    expect(left).toBeGreaterThan(590);
    // An hour after the login, refreshing ends.
    await t.database.db.dataSource.query(`UPDATE refresh_tokens SET created_at = now() - interval '3601 seconds' WHERE family_id = $1`, [familyId]);
    const ended = await refresh(refreshToken);
    expect(ended.statusCode).toBe(401);
    expect(ended.json().error.message).toMatch(/maximum age/);
  });

  it('changing the password needs the current one and signs every other session out', async () => {
    const { username } = await register(t.app);
    const first = (await login(t.app, username)).json() as { accessToken: string; refreshToken: string };
    const second = (await login(t.app, username)).json() as { refreshToken: string };
    const wrong = await post(t.app, '/v1/auth/password', { currentPassword: 'not the password', newPassword: NEW_PASSWORD }, { headers: bearer(first.accessToken) });
    expect(wrong.statusCode).toBe(401);
    const changed = await post(t.app, '/v1/auth/password', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, { headers: bearer(first.accessToken) });
    expect(changed.statusCode).toBe(200);
    expect((await refresh(first.refreshToken)).statusCode).toBe(401);
    expect((await refresh(second.refreshToken)).statusCode).toBe(401);
    expect((await refresh(changed.json().refreshToken)).statusCode).toBe(200);
    expect((await login(t.app, username)).statusCode).toBe(401);
    expect((await login(t.app, username, { password: NEW_PASSWORD })).statusCode).toBe(200);
  });

  it('logout-all signs every session out', async () => {
    const { username } = await register(t.app);
    const a = (await login(t.app, username)).json() as { accessToken: string; refreshToken: string };
    const b = (await login(t.app, username)).json() as { refreshToken: string };
    expect((await post(t.app, '/v1/auth/logout-all', undefined, { headers: bearer(a.accessToken) })).statusCode).toBe(204);
    expect((await refresh(a.refreshToken)).statusCode).toBe(401);
    expect((await refresh(b.refreshToken)).statusCode).toBe(401);
  });
});
