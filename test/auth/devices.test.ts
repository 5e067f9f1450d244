import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { hashDeviceToken } from '../../src/auth/device-credentials.js';
import { createSecondInstance } from '../helpers/app.js';
import { bearer, createAuthTestApp, login, PASSWORD, post, register, type AuthTestApp } from './helpers.js';
import { POSTGRES_MISSING, REDIS_MISSING, skipWithout } from '../helpers/skip.js';

/**
 * Device credentials for speakers and headsets, on the real PostgreSQL and Redis of
 * DATABASE_URL/REDIS_URL: shown once, good for the command endpoints only, revoked at once on
 * every instance, with their last use recorded.
 */

const notShared = skipWithout(POSTGRES_MISSING || REDIS_MISSING);

interface Frame { type?: string; code?: string; text?: string; intent?: string | null }

async function addDevice(app: FastifyInstance, accessToken: string, name: string): Promise<{ id: string; token: string }> {
  const res = await post(app, '/v1/devices', { name, password: PASSWORD }, { headers: bearer(accessToken) });
  expect(res.statusCode, res.body).toBe(201);
  const body = res.json() as { device: { id: string }; token: string };
  return { id: body.device.id, token: body.token };
}

function command(app: FastifyInstance, token: string, text = 'what is my balance') {
  return post(app, '/v1/commands', { text }, { headers: bearer(token) });
}

/** Opens a voice session and collects its frames; `closed` resolves with the close code. */
async function openVoice(app: FastifyInstance, token: string): Promise<{ ws: WebSocket; frames: Frame[]; closed: Promise<number>; next(pred: (f: Frame) => boolean): Promise<Frame> }> {
  const ws = await app.injectWS('/v1/voice', { headers: bearer(token) });
  const frames: Frame[] = [];
  ws.on('message', (data: Buffer, isBinary: boolean) => { if (!isBinary) frames.push(JSON.parse(data.toString('utf8')) as Frame); });
  const closed = new Promise<number>((resolve) => ws.once('close', (code: number) => resolve(code)));
  return {
    ws,
    frames,
    closed,
    async next(pred) {
      for (let i = 0; i < 500; i++) {
        const hit = frames.find(pred);
        if (hit) return hit;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no such frame; got ${JSON.stringify(frames)}`);
    },
  };
}

describe('device credentials', () => {
  let t: AuthTestApp;
  let accessToken: string;
  let refreshToken: string;
  let username: string;
  beforeAll(async () => {
    t = await createAuthTestApp();
    ({ username } = await register(t.app));
    const res = await login(t.app, username);
    ({ accessToken, refreshToken } = res.json() as { accessToken: string; refreshToken: string });
  }, 60_000);
  afterAll(async () => { await t?.close(); });

  it('are created with the password, shown once, stored hashed and listed without their token', async () => {
    const wrong = await post(t.app, '/v1/devices', { name: 'kitchen', password: 'not my password at all' }, { headers: bearer(accessToken) });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('HM_ERR_AUTH_INVALID_CREDENTIALS');

    const { id, token } = await addDevice(t.app, accessToken, 'kitchen');
    expect(token).toMatch(/^hmd_[A-Za-z0-9_-]{43}$/);
    const [row] = await t.database.db.dataSource.query('SELECT token_hash FROM device_credentials WHERE id = $1', [id]) as { token_hash: string }[];
    expect(row!.token_hash).toBe(hashDeviceToken(token));

    const list = await t.app.inject({ method: 'GET', url: '/v1/devices', headers: bearer(accessToken) });
    expect(list.statusCode).toBe(200);
    expect(list.json().devices).toEqual([{ id, name: 'kitchen', createdAt: expect.any(String), lastUsedAt: null }]);
    expect(list.body).not.toContain(token);

    const again = await post(t.app, '/v1/devices', { name: 'Kitchen', password: PASSWORD }, { headers: bearer(accessToken) });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('HM_ERR_AUTH_DEVICE_EXISTS');
    const bad = await post(t.app, '/v1/devices', { name: '<script>', password: PASSWORD }, { headers: bearer(accessToken) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('HM_ERR_REQUEST_INVALID');
  });

  it('work on the text command route and the voice WebSocket', async () => {
    const { token } = await addDevice(t.app, accessToken, 'living room');
    const res = await command(t.app, token);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ intent: 'CheckBalance', outcome: 'ok' });

    const voice = await openVoice(t.app, token);
    voice.ws.send(JSON.stringify({ type: 'text', text: 'what is my balance' }));
    const reply = await voice.next((f) => f.type === 'reply');
    expect(reply.intent).toBe('CheckBalance');
    voice.ws.close();
    await voice.closed;
  });

  it('reach the speech upload route (this app runs no speech engine: 503, not 401 or 403)', async () => {
    const { token } = await addDevice(t.app, accessToken, 'headset');
    const res = await post(t.app, '/v1/speech-to-intent', undefined, { headers: { ...bearer(token), 'content-type': 'audio/wav' }, payload: Buffer.alloc(64) });
    expect(res.json().error.code).toBe('HM_ERR_VOICE_UNAVAILABLE');
  });

  it('are refused everywhere else with 403 HM_ERR_AUTH_DEVICE_SCOPE', async () => {
    const { token } = await addDevice(t.app, accessToken, 'porch');
    const attempts = [
      t.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(token) }),
      t.app.inject({ method: 'GET', url: '/v1/devices', headers: bearer(token) }),
      post(t.app, '/v1/devices', { name: 'sneaky', password: PASSWORD }, { headers: bearer(token) }),
      t.app.inject({ method: 'GET', url: '/v1/history', headers: bearer(token) }),
      t.app.inject({ method: 'GET', url: '/v1/wallet', headers: bearer(token) }),
      post(t.app, '/v1/auth/logout-all', undefined, { headers: bearer(token) }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.statusCode, res.body).toBe(403);
      expect(res.json().error.code).toBe('HM_ERR_AUTH_DEVICE_SCOPE');
    }
    const forged = await command(t.app, `${token.slice(0, -2)}xx`);
    expect(forged.statusCode).toBe(401);
    expect(forged.json().error.code).toBe('HM_ERR_AUTH_REQUIRED');
  });

  it('record their last use at most once a minute', async () => {
    const { id, token } = await addDevice(t.app, accessToken, 'bedroom');
    const lastUsed = async () => {
      const res = await t.app.inject({ method: 'GET', url: '/v1/devices', headers: bearer(accessToken) });
      return (res.json().devices as { id: string; lastUsedAt: string | null }[]).find((d) => d.id === id)!.lastUsedAt;
    };
    expect(await lastUsed()).toBeNull();
    expect((await command(t.app, token)).statusCode).toBe(200);
    const first = await lastUsed();
    expect(first).not.toBeNull();
    // Within the minute: not written again.
    expect((await command(t.app, token)).statusCode).toBe(200);
    expect(await lastUsed()).toBe(first);
    // Over a minute later: written.
    await t.database.db.dataSource.query(`UPDATE device_credentials SET last_used_at = now() - interval '2 minutes' WHERE id = $1`, [id]);
    const stale = await lastUsed();
    expect((await command(t.app, token)).statusCode).toBe(200);
    const fresh = await lastUsed();
    expect(new Date(fresh!).getTime()).toBeGreaterThan(new Date(stale!).getTime());
  });

  it('are revoked by their owner only; a revoked one is refused at once', async () => {
    const { id, token } = await addDevice(t.app, accessToken, 'garage');
    const other = await register(t.app);
    const otherToken = (await login(t.app, other.username)).json().accessToken as string;
    const foreign = await t.app.inject({ method: 'DELETE', url: `/v1/devices/${id}`, headers: bearer(otherToken) });
    expect(foreign.statusCode).toBe(404);
    expect((await command(t.app, token)).statusCode).toBe(200);

    const revoked = await t.app.inject({ method: 'DELETE', url: `/v1/devices/${id}`, headers: bearer(accessToken) });
    expect(revoked.statusCode).toBe(204);
    const refused = await command(t.app, token);
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error.message).toContain('revoked');
    const list = await t.app.inject({ method: 'GET', url: '/v1/devices', headers: bearer(accessToken) });
    expect((list.json().devices as { id: string }[]).map((d) => d.id)).not.toContain(id);
    const twice = await t.app.inject({ method: 'DELETE', url: `/v1/devices/${id}`, headers: bearer(accessToken) });
    expect(twice.statusCode).toBe(404);
  });

  it('an open voice session whose credential was revoked unannounced refuses its next command and closes', async () => {
    const { id, token } = await addDevice(t.app, accessToken, 'attic');
    const voice = await openVoice(t.app, token);
    voice.ws.send(JSON.stringify({ type: 'text', text: 'what is my balance' }));
    await voice.next((f) => f.type === 'reply');
    // Straight in the database, as another process would (no pub/sub announcement).
    await t.database.db.dataSource.query('UPDATE device_credentials SET revoked_at = now() WHERE id = $1', [id]);
    voice.ws.send(JSON.stringify({ type: 'text', text: 'what is my balance' }));
    expect(await voice.closed).toBe(4401);
    expect(voice.frames.filter((f) => f.type === 'reply')).toHaveLength(1);
    expect(voice.frames).toContainEqual(expect.objectContaining({ type: 'error', code: 'HM_ERR_AUTH_REQUIRED' }));
  });

  it('"sign out other sessions" keeps this one and ends the others', async () => {
    const other = (await login(t.app, username)).json() as { refreshToken: string };
    const res = await post(t.app, '/v1/auth/logout-others', { refreshToken }, { headers: bearer(accessToken) });
    expect(res.statusCode, res.body).toBe(204);
    expect((await post(t.app, '/v1/auth/refresh', { refreshToken: other.refreshToken })).statusCode).toBe(401);
    const kept = await post(t.app, '/v1/auth/refresh', { refreshToken });
    expect(kept.statusCode).toBe(200);
    ({ accessToken, refreshToken } = kept.json() as { accessToken: string; refreshToken: string });
    const foreign = await post(t.app, '/v1/auth/logout-others', { refreshToken: other.refreshToken }, { headers: bearer(accessToken) });
    expect(foreign.statusCode).toBe(401);
    expect(foreign.json().error.code).toBe('HM_ERR_AUTH_REFRESH_INVALID');
  });
});

describe.skipIf(notShared)('device credentials across two instances (shared PostgreSQL and Redis)', () => {
  let a: AuthTestApp;
  let b: Awaited<ReturnType<typeof createSecondInstance>>;
  let accessToken: string;
  beforeAll(async () => {
    a = await createAuthTestApp();
    b = await createSecondInstance(a as unknown as Parameters<typeof createSecondInstance>[0]);
    const { username } = await register(a.app);
    accessToken = (await login(a.app, username)).json().accessToken as string;
  }, 60_000);
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('a revocation on one instance holds on the other at once, and closes its open voice session', async () => {
    const { id, token } = await addDevice(a.app, accessToken, 'kitchen');
    expect((await command(b.app, token)).statusCode).toBe(200);
    const voice = await openVoice(b.app, token);
    voice.ws.send(JSON.stringify({ type: 'text', text: 'what is my balance' }));
    await voice.next((f) => f.type === 'reply');

    const revoked = await a.app.inject({ method: 'DELETE', url: `/v1/devices/${id}`, headers: bearer(accessToken) });
    expect(revoked.statusCode).toBe(204);
    const refused = await command(b.app, token);
    expect(refused.statusCode).toBe(401);
    expect(await voice.closed).toBe(4401);
    expect(voice.frames).toContainEqual(expect.objectContaining({ type: 'error', code: 'HM_ERR_AUTH_REQUIRED' }));
  });
});
