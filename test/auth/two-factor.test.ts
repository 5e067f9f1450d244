import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentTotp, TOTP_PERIOD_S } from '../../src/auth/totp.js';
import { normaliseRecoveryCode } from '../../src/auth/recovery-codes.js';
import { verifySecret } from '../../src/auth/passwords.js';
import { bearer, createAuthTestApp, login, PASSWORD, post, register, type AuthTestApp } from './helpers.js';

const now = () => Math.floor(Date.now() / 1000);

/** A 6-digit code that is valid in no step of the acceptance window. */
async function wrongCode(secret: string): Promise<string> {
  const valid = await Promise.all([-1, 0, 1].map((k) => currentTotp(secret, now() + k * TOTP_PERIOD_S)));
  for (let n = 0; ; n++) {
    const code = String(n).padStart(6, '0');
    if (!valid.includes(code)) return code;
  }
}

/** Registers, logs in, sets up and confirms TOTP. */
async function enrol(app: AuthTestApp['app']): Promise<{ username: string; id: string; secret: string; recoveryCodes: string[] }> {
  const { username, id } = await register(app);
  const { accessToken } = (await login(app, username)).json();
  const setup = await post(app, '/v1/auth/2fa/setup', { password: PASSWORD }, { headers: bearer(accessToken) });
  const { secret } = setup.json();
  const confirm = await post(app, '/v1/auth/2fa/confirm', { code: await currentTotp(secret) }, { headers: bearer(accessToken) });
  return { username, id, secret, recoveryCodes: confirm.json().recoveryCodes };
}

describe('TOTP two-factor authentication', () => {
  let t: AuthTestApp;
  beforeAll(async () => { t = await createAuthTestApp({ env: { LOGIN_FAILURE_LIMIT: '100' } }); });
  afterAll(async () => { await t?.close(); });

  it('enrols: setup stores an encrypted secret, confirm enables it and hands out recovery codes', async () => {
    const { username, id } = await register(t.app);
    const { accessToken } = (await login(t.app, username)).json();

    const setup = await post(t.app, '/v1/auth/2fa/setup', { password: PASSWORD }, { headers: bearer(accessToken) });
    expect(setup.statusCode).toBe(200);
    const { otpauthUri, secret } = setup.json();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(otpauthUri).toMatch(new RegExp(`^otpauth://totp/HoloMesh:${username}\\?`));
    expect(otpauthUri).toContain(`secret=${secret}`);
    expect(otpauthUri).toContain('issuer=HoloMesh');

    const [row] = await t.database.db.dataSource.query('SELECT totp_secret, totp_enabled FROM users WHERE id = $1', [id]) as [{ totp_secret: string; totp_enabled: boolean }];
    expect(row.totp_enabled).toBe(false);
    expect(row.totp_secret).toMatch(/^v1:test:/);
    expect(row.totp_secret).not.toContain(secret);

    // Not enabled yet: the password alone still signs in.
    expect((await login(t.app, username)).statusCode).toBe(200);

    const wrong = await post(t.app, '/v1/auth/2fa/confirm', { code: await wrongCode(secret) }, { headers: bearer(accessToken) });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('HM_ERR_AUTH_TOTP_INVALID');

    const confirm = await post(t.app, '/v1/auth/2fa/confirm', { code: await currentTotp(secret) }, { headers: bearer(accessToken) });
    expect(confirm.statusCode).toBe(200);
    const { recoveryCodes } = confirm.json() as { recoveryCodes: string[] };
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    // 24 characters of a 32-letter alphabet: 120 bits each (ASVS 2.6.2 asks for at least 112).
    for (const code of recoveryCodes) expect(code).toMatch(/^([0-9a-z]{4}-){5}[0-9a-z]{4}$/);

    // Stored only as salted scrypt hashes (a salt of their own each), never in clear.
    const stored = await t.database.db.dataSource.query('SELECT code_hash FROM recovery_codes WHERE user_id = $1', [id]) as { code_hash: string }[];
    expect(stored).toHaveLength(10);
    for (const { code_hash } of stored) expect(code_hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(new Set(stored.map((r) => r.code_hash.split('$')[4])).size).toBe(10);
    const plain = normaliseRecoveryCode(recoveryCodes[0]!);
    expect(stored.some((r) => r.code_hash.includes(plain))).toBe(false);
    expect((await Promise.all(stored.map((r) => verifySecret(plain, r.code_hash)))).filter(Boolean)).toHaveLength(1);

    const again = await post(t.app, '/v1/auth/2fa/setup', { password: PASSWORD }, { headers: bearer(accessToken) });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('HM_ERR_AUTH_TOTP_STATE');
  });

  it('confirm without setup is a 409', async () => {
    const { username } = await register(t.app);
    const { accessToken } = (await login(t.app, username)).json();
    const res = await post(t.app, '/v1/auth/2fa/confirm', { code: '123456' }, { headers: bearer(accessToken) });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('HM_ERR_AUTH_TOTP_STATE');
  });

  it('once enabled, login needs a code; wrong codes fail; a code cannot be replayed', async () => {
    const { username, secret } = await enrol(t.app);

    const without = await login(t.app, username);
    expect(without.statusCode).toBe(401);
    expect(without.json().error.code).toBe('HM_ERR_AUTH_TOTP_REQUIRED');

    const wrong = await login(t.app, username, { totp: await wrongCode(secret) });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('HM_ERR_AUTH_TOTP_INVALID');

    // A wrong password with a right code is still a wrong password.
    const badPassword = await login(t.app, username, { password: 'not the password', totp: await currentTotp(secret, now() + TOTP_PERIOD_S) });
    expect(badPassword.json().error.code).toBe('HM_ERR_AUTH_INVALID_CREDENTIALS');

    // The current step was spent by confirm; the next one (clock drift allowance) is fresh.
    const code = await currentTotp(secret, now() + TOTP_PERIOD_S);
    const ok = await login(t.app, username, { totp: code });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().user.totpEnabled).toBe(true);

    const replay = await login(t.app, username, { totp: code });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().error.code).toBe('HM_ERR_AUTH_TOTP_INVALID');
    // An older code of the window is no good either once a newer one was used.
    const older = await login(t.app, username, { totp: await currentTotp(secret) });
    expect(older.statusCode).toBe(401);
  });

  it('two logins racing with the same code: exactly one succeeds', async () => {
    const { username, secret } = await enrol(t.app);
    const code = await currentTotp(secret, now() + TOTP_PERIOD_S);
    const results = await Promise.all([1, 2, 3].map(() => login(t.app, username, { totp: code })));
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 401, 401]);
  });

  it('a recovery code works once (in any case, with or without the dash)', async () => {
    const { username, recoveryCodes } = await enrol(t.app);
    const [first, second] = recoveryCodes as [string, string];

    const ok = await login(t.app, username, { totp: first });
    expect(ok.statusCode).toBe(200);
    const again = await login(t.app, username, { totp: first });
    expect(again.statusCode).toBe(401);
    expect(again.json().error.code).toBe('HM_ERR_AUTH_TOTP_INVALID');

    const typed = await login(t.app, username, { totp: second.replace('-', '').toUpperCase() });
    expect(typed.statusCode).toBe(200);

    const me = await t.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(typed.json().accessToken) });
    expect(me.json().recoveryCodesLeft).toBe(8);

    const unknown = await login(t.app, username, { totp: 'abcd-efgh-jkmn-pqrs-tvwx-yz01' });
    expect(unknown.statusCode).toBe(401);
  });
});

describe('REQUIRE_2FA_ROLES', () => {
  let t: AuthTestApp;
  beforeAll(async () => { t = await createAuthTestApp({ env: { REQUIRE_2FA_ROLES: 'designer,admin', LOGIN_FAILURE_LIMIT: '100' } }); });
  afterAll(async () => { await t?.close(); });

  it('a designer without 2FA gets 403 with an enrolment token, enrols with it, then signs in with a code', async () => {
    const { username } = await register(t.app, { role: 'designer', displayName: `Designer ${Date.now()}` });
    const res = await login(t.app, username);
    expect(res.statusCode).toBe(403);
    const { error } = res.json();
    expect(error.code).toBe('HM_ERR_AUTH_ENROLMENT_REQUIRED');
    expect(error.details).toEqual({ enrolmentToken: expect.any(String), expiresIn: 600 });
    const enrolment = bearer(error.details.enrolmentToken);

    // Good for nothing else.
    expect((await t.app.inject({ method: 'GET', url: '/v1/auth/me', headers: enrolment })).statusCode).toBe(401);

    const { secret } = (await post(t.app, '/v1/auth/2fa/setup', undefined, { headers: enrolment })).json();
    const confirm = await post(t.app, '/v1/auth/2fa/confirm', { code: await currentTotp(secret) }, { headers: enrolment });
    expect(confirm.statusCode).toBe(200);

    const ok = await login(t.app, username, { totp: await currentTotp(secret, now() + TOTP_PERIOD_S) });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().user).toMatchObject({ role: 'designer', totpEnabled: true });
  });

  it('other roles sign in as before', async () => {
    const { username } = await register(t.app);
    expect((await login(t.app, username)).statusCode).toBe(200);
  });
});
