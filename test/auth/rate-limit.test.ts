import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { User } from '../../src/db/entities/index.js';
import { bearer, createAuthTestApp, login, post, randomIp, register, uniqueName, type AuthTestApp } from './helpers.js';

describe('abuse limits (429 from the catalog, then reset)', () => {
  let t: AuthTestApp;
  // Windows end on the clock, not after real sleeps: Date is faked (it still runs on) and moved
  // past a window. Counters stay in-process for that; with Redis they expire on Redis's clock.
  const passWindow = (seconds: number) => vi.setSystemTime(Date.now() + seconds * 1000 + 100);
  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    t = await createAuthTestApp({
      env: {
        REDIS_URL: '',
        AUTH_RATE_LIMIT_MAX: '3', AUTH_RATE_LIMIT_WINDOW_S: '8',
        // Windows of several seconds: each login spends a password hash (~0.4–1.5 s on a busy machine).
        LOGIN_FAILURE_LIMIT: '2', LOGIN_FAILURE_WINDOW_S: '8',
        COMMAND_RATE_LIMIT_MAX: '3', COMMAND_RATE_LIMIT_WINDOW_S: '1',
      },
      // A cheap route under /v1/commands: the per-user limit applies to every route there.
      beforeReady: (app) => { app.get('/v1/commands/ping', { preHandler: app.requireAuth }, async () => ({ ok: true })); },
    });
  });
  afterAll(async () => {
    await t?.close();
    vi.useRealTimers();
  });

  function expectLimited(res: Awaited<ReturnType<typeof login>>) {
    expect(res.statusCode).toBe(429);
    const { error } = res.json();
    expect(error.code).toBe('HM_ERR_REQUEST_RATE_LIMITED');
    expect(error.message).toMatch(/^too many requests, retry in \d+ s$/);
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  }

  it('limits login attempts per IP, other IPs unaffected, and resets after the window', async () => {
    const ip = randomIp();
    const attempt = () => login(t.app, uniqueName('ghost'), {}, { remoteAddress: ip });
    for (let i = 0; i < 3; i++) expect((await attempt()).statusCode).toBe(401);
    expectLimited(await attempt());
    expect((await login(t.app, uniqueName('ghost'))).statusCode).toBe(401);
    passWindow(8);
    expect((await attempt()).statusCode).toBe(401);
  });

  it('limits registration per IP', async () => {
    const ip = randomIp();
    const attempt = () => post(t.app, '/v1/auth/register', { username: uniqueName(), email: `${uniqueName()}@example.test`, password: 'x' }, { remoteAddress: ip });
    for (let i = 0; i < 3; i++) expect((await attempt()).statusCode).toBe(400);
    expectLimited(await attempt());
  });

  it('limits failed logins per account and address, even with the right password after, until the window ends', async () => {
    const { username } = await register(t.app);
    const ip = randomIp();
    for (let i = 0; i < 2; i++) expect((await login(t.app, username, { password: `wrong password ${i}` }, { remoteAddress: ip })).statusCode).toBe(401);
    expectLimited(await login(t.app, username, {}, { remoteAddress: ip }));
    expectLimited(await login(t.app, username.toUpperCase(), {}, { remoteAddress: ip }));
    // Other accounts, and this account from other addresses, are not affected.
    expect((await login(t.app, (await register(t.app)).username)).statusCode).toBe(200);
    expect((await login(t.app, username)).statusCode).toBe(200);
    passWindow(8);
    expect((await login(t.app, username, {}, { remoteAddress: ip })).statusCode).toBe(200);
  });

  it('successful logins do not count against the account', async () => {
    const { username } = await register(t.app);
    for (let i = 0; i < 4; i++) expect((await login(t.app, username)).statusCode).toBe(200);
  });

  it('limits /v1/commands per user', async () => {
    const tokenOf = async (username: string) => {
      const user = await t.database.db.dataSource.getRepository(User).findOneByOrFail({ username });
      return t.tokens.issueAccessToken({ userId: user.id, username, role: user.role });
    };
    const alex = bearer(await tokenOf('alex'));
    const ping = (headers: Record<string, string>) => t.app.inject({ method: 'GET', url: '/v1/commands/ping', headers, remoteAddress: randomIp() });
    for (let i = 0; i < 3; i++) expect((await ping(alex)).statusCode).toBe(200);
    expectLimited(await ping(alex));
    expect((await ping(bearer(await tokenOf('sam')))).statusCode).toBe(200);
    passWindow(1);
    expect((await ping(alex)).statusCode).toBe(200);
  });
});
