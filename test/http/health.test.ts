import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';

describe('health, readiness and errors over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => { t = await createTestApp(); });
  afterAll(async () => { await t?.close(); });

  it('GET /health answers without touching dependencies', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('GET /ready checks the database and the session store', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'ready',
      checks: { database: 'ok', cache: 'ok' },
      mode: { database: process.env.DATABASE_URL ? 'postgres' : 'pglite', cache: process.env.REDIS_URL ? 'redis' : 'memory' },
    });
  });

  it('unknown routes get a JSON 404 from the catalog', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'HM_ERR_REQUEST_NOT_FOUND', message: 'route GET /v1/nothing-here not found' } });
  });

  it('a forged or foreign token is refused with 401, never silently anonymous', async () => {
    const good = await t.tokenFor('alex');
    const [h, p] = good.split('.');
    for (const token of [`${h}.${p}.forged-signature`, 'not-a-jwt']) {
      const res = await t.app.inject({ method: 'GET', url: '/health', headers: { authorization: `Bearer ${token}` } });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('HM_ERR_AUTH_REQUIRED');
    }
  });
});
