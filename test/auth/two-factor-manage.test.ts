import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentTotp, TOTP_PERIOD_S } from '../../src/auth/totp.js';
import { bearer, createAuthTestApp, login, PASSWORD, post, register, type AuthTestApp } from './helpers.js';

const now = () => Math.floor(Date.now() / 1000);

describe('changing two-factor authentication needs the owner, and signs other sessions out', () => {
  let t: AuthTestApp;
  beforeAll(async () => { t = await createAuthTestApp({ env: { LOGIN_FAILURE_LIMIT: '100' } }); });
  afterAll(async () => { await t?.close(); });

  const refresh = (refreshToken: string) => post(t.app, '/v1/auth/refresh', { refreshToken });

  /** Registers and enrols; returns the session the confirmation handed back, and another one signed out by it. */
  async function enrol() {
    const { username } = await register(t.app);
    const first = (await login(t.app, username)).json() as { accessToken: string; refreshToken: string };
    const other = (await login(t.app, username)).json() as { refreshToken: string };
    const { secret } = (await post(t.app, '/v1/auth/2fa/setup', { password: PASSWORD }, { headers: bearer(first.accessToken) })).json() as { secret: string };
    const confirm = await post(t.app, '/v1/auth/2fa/confirm', { code: await currentTotp(secret) }, { headers: bearer(first.accessToken) });
    expect(confirm.statusCode).toBe(200);
    const { recoveryCodes, session } = confirm.json() as { recoveryCodes: string[]; session: { accessToken: string; refreshToken: string } };
    return { username, secret, recoveryCodes, session, first, other };
  }

  it('a stolen access token cannot set up 2FA: setup needs the password', async () => {
    const { username } = await register(t.app);
    const { accessToken } = (await login(t.app, username)).json();
    const bare = await post(t.app, '/v1/auth/2fa/setup', undefined, { headers: bearer(accessToken) });
    expect(bare.statusCode).toBe(400);
    const wrong = await post(t.app, '/v1/auth/2fa/setup', { password: 'not the password' }, { headers: bearer(accessToken) });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('HM_ERR_AUTH_INVALID_CREDENTIALS');
    expect((await post(t.app, '/v1/auth/2fa/setup', { password: PASSWORD }, { headers: bearer(accessToken) })).statusCode).toBe(200);
  });

  it('confirming signs every other session out and hands the caller a new one', async () => {
    const { first, other, session } = await enrol();
    expect((await refresh(other.refreshToken)).statusCode).toBe(401);
    expect((await refresh(first.refreshToken)).statusCode).toBe(401);
    expect((await refresh(session.refreshToken)).statusCode).toBe(200);
  });

  it('disabling needs the password and the current factor, then the password alone signs in', async () => {
    const { username, secret, session } = await enrol();
    const headers = bearer(session.accessToken);
    const noCode = await post(t.app, '/v1/auth/2fa/disable', { password: PASSWORD }, { headers });
    expect(noCode.statusCode).toBe(400);
    const wrongPassword = await post(t.app, '/v1/auth/2fa/disable', { password: 'not the password', code: await currentTotp(secret) }, { headers });
    expect(wrongPassword.statusCode).toBe(401);
    const wrongCode = await post(t.app, '/v1/auth/2fa/disable', { password: PASSWORD, code: 'abcde-fghjk' }, { headers });
    expect(wrongCode.json().error.code).toBe('HM_ERR_AUTH_TOTP_INVALID');
    const off = await post(t.app, '/v1/auth/2fa/disable', { password: PASSWORD, code: await currentTotp(secret, now() + TOTP_PERIOD_S) }, { headers });
    expect(off.statusCode).toBe(200);
    expect(off.json()).toMatchObject({ totpEnabled: false, session: { tokenType: 'Bearer' } });
    expect((await refresh(session.refreshToken)).statusCode).toBe(401);
    const plain = await login(t.app, username);
    expect(plain.statusCode).toBe(200);
    expect(plain.json().user.totpEnabled).toBe(false);
  });

  it('new recovery codes need the password and a factor; the old codes stop working', async () => {
    const { username, recoveryCodes, session } = await enrol();
    const headers = bearer(session.accessToken);
    expect((await post(t.app, '/v1/auth/2fa/recovery-codes', { password: 'not the password', code: recoveryCodes[0] }, { headers })).statusCode).toBe(401);
    const fresh = await post(t.app, '/v1/auth/2fa/recovery-codes', { password: PASSWORD, code: recoveryCodes[0] }, { headers });
    expect(fresh.statusCode).toBe(200);
    const { recoveryCodes: codes, session: next } = fresh.json() as { recoveryCodes: string[]; session: { refreshToken: string } };
    expect(codes).toHaveLength(10);
    expect((await refresh(session.refreshToken)).statusCode).toBe(401);
    expect((await refresh(next.refreshToken)).statusCode).toBe(200);
    expect((await login(t.app, username, { totp: recoveryCodes[1] })).statusCode).toBe(401);
    expect((await login(t.app, username, { totp: codes[0] })).statusCode).toBe(200);
  });
});
