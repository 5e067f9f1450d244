import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthTestApp, login, PASSWORD, post, register, type AuthTestApp } from './helpers.js';

describe('secrets never reach the logs', () => {
  let t: AuthTestApp;
  beforeAll(async () => { t = await createAuthTestApp({ captureLogs: true }); });
  afterAll(async () => { await t?.close(); });

  it('logs requests to the auth routes without passwords or tokens', async () => {
    const wrongPassword = 'a-wrong-password-to-look-for';
    const { username } = await register(t.app);
    const ok = (await login(t.app, username)).json();
    expect((await login(t.app, username, { password: wrongPassword })).statusCode).toBe(401);
    const refreshed = (await post(t.app, '/v1/auth/refresh', { refreshToken: ok.refreshToken })).json();
    await post(t.app, '/v1/auth/refresh', { refreshToken: ok.refreshToken }); // reuse: logged as a 401
    const setup = (await post(t.app, '/v1/auth/2fa/setup', { password: PASSWORD }, { headers: { authorization: `Bearer ${refreshed.accessToken}` } })).json();
    await post(t.app, '/v1/auth/register', { username, email: 'x@example.test', password: PASSWORD }); // 409

    const logs = t.logs.join('');
    // The capture works: the requests are there.
    expect(logs).toContain('/v1/auth/login');
    expect(logs).toContain('HM_ERR_AUTH_INVALID_CREDENTIALS');
    for (const secret of [PASSWORD, wrongPassword, ok.refreshToken, refreshed.refreshToken, ok.accessToken, refreshed.accessToken, setup.secret]) {
      expect(logs).not.toContain(secret);
    }
  });
});
