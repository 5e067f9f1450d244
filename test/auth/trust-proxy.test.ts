import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthTestApp, login, randomIp, uniqueName, type AuthTestApp } from './helpers.js';

/** Per-IP limits behind a load balancer: the proxy's address, or the client's when it is trusted. */
describe('TRUST_PROXY', () => {
  const limits = { AUTH_RATE_LIMIT_MAX: '2', AUTH_RATE_LIMIT_WINDOW_S: '60' };
  let trusting: AuthTestApp;
  let plain: AuthTestApp;
  beforeAll(async () => {
    [trusting, plain] = await Promise.all([
      createAuthTestApp({ env: { ...limits, TRUST_PROXY: '10.9.0.0/16' } }),
      createAuthTestApp({ env: limits }),
    ]);
  });
  afterAll(async () => { await Promise.all([trusting?.close(), plain?.close()]); });

  const attempt = (t: AuthTestApp, proxy: string, client: string) =>
    login(t.app, uniqueName('ghost'), {}, { remoteAddress: proxy, headers: { 'x-forwarded-for': client } });

  it('counts each client behind a trusted proxy separately', async () => {
    const proxy = '10.9.0.5';
    const [a, b] = [randomIp(), randomIp()];
    for (let i = 0; i < 2; i++) expect((await attempt(trusting, proxy, a)).statusCode).toBe(401);
    expect((await attempt(trusting, proxy, a)).statusCode).toBe(429);
    expect((await attempt(trusting, proxy, b)).statusCode).toBe(401);
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    const peer = '192.0.2.7';
    for (let i = 0; i < 2; i++) expect((await attempt(trusting, peer, randomIp())).statusCode).toBe(401);
    // A client cannot dodge the limit by making up a new address for each request.
    expect((await attempt(trusting, peer, randomIp())).statusCode).toBe(429);
  });

  it('without it, every client behind the proxy shares the proxy address', async () => {
    const proxy = randomIp();
    for (let i = 0; i < 2; i++) expect((await attempt(plain, proxy, randomIp())).statusCode).toBe(401);
    expect((await attempt(plain, proxy, randomIp())).statusCode).toBe(429);
  });
});
