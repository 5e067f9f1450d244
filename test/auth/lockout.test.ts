import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthTestApp, login, randomIp, register, type AuthTestApp } from './helpers.js';

describe('login limits against real PostgreSQL and the configured store', () => {
  let t: AuthTestApp;
  beforeAll(async () => {
    t = await createAuthTestApp({
      env: { AUTH_RATE_LIMIT_MAX: '1000', LOGIN_FAILURE_LIMIT: '5', LOGIN_FAILURE_WINDOW_S: '60', LOGIN_SLOW_AFTER: '3', LOGIN_SLOW_MAX_MS: '3000' },
    });
  });
  afterAll(async () => { await t?.close(); });

  it('checks at most the limit of 40 concurrent wrong passwords against one account', async () => {
    const { username } = await register(t.app);
    const ip = randomIp();
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => login(t.app, username, { password: `wrong password ${i}` }, { remoteAddress: ip })));
    const statuses = answers.map((a) => a.statusCode);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(35);
  });

  it('an attacker cannot lock the owner out: the right password from elsewhere still signs in', async () => {
    const { username } = await register(t.app);
    const attacker = randomIp();
    for (let i = 0; i < 5; i++) expect((await login(t.app, username, { password: `wrong password ${i}` }, { remoteAddress: attacker })).statusCode).toBe(401);
    const refused = await login(t.app, username, {}, { remoteAddress: attacker });
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('HM_ERR_REQUEST_RATE_LIMITED');
    expect(Number(refused.headers['retry-after'])).toBe(60);
    // The owner, from their own address: slowed (over LOGIN_SLOW_AFTER), not refused.
    const started = Date.now();
    const owner = await login(t.app, username);
    expect(owner.statusCode).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    expect(typeof owner.json().deviceToken).toBe('string');
  });

  it('a known device is not slowed by guesses from other addresses, and its token is no access token', async () => {
    const { username } = await register(t.app);
    const { deviceToken } = (await login(t.app, username)).json() as { deviceToken: string };
    for (let i = 0; i < 8; i++) await login(t.app, username, { password: `wrong password ${i}` });
    const started = Date.now();
    const owner = await login(t.app, username, { deviceToken });
    expect(owner.statusCode).toBe(200);
    expect(Date.now() - started).toBeLessThan(2_500);
    // An unknown device waits the capped 3 s before the same check.
    const unknown = Date.now();
    expect((await login(t.app, username)).statusCode).toBe(200);
    expect(Date.now() - unknown).toBeGreaterThanOrEqual(3_000);
    const asAccess = await t.app.inject({ method: 'GET', url: '/v1/auth/me', headers: { authorization: `Bearer ${deviceToken}` } });
    expect(asAccess.statusCode).toBe(401);
    // Another account's device token does not make a device known.
    const other = await register(t.app);
    for (let i = 0; i < 4; i++) await login(t.app, other.username, { password: `wrong password ${i}` });
    const borrowed = Date.now();
    expect((await login(t.app, other.username, { deviceToken })).statusCode).toBe(200);
    expect(Date.now() - borrowed).toBeGreaterThanOrEqual(250);
  }, 90_000); // Its waits are the throttle's own (several seconds of deliberate delay, and a password hash per login).
});
