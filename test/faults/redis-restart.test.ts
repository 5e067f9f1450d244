import { Redis } from 'ioredis';
import type { WebSocket } from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisPubSub } from '../../src/cache/index.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { startLoad, type Sample } from './load.js';
import { redisMissing, startPrivateRedis, type PrivateRedis } from './servers.js';
import { waitFor } from '../helpers/wait-for.js';
import { skipWithout } from '../helpers/skip.js';

const missing = redisMissing();
const CACHE_DOWN = { error: { code: 'HM_ERR_CACHE_UNAVAILABLE', message: 'the session store is unavailable, try again shortly' } };

/**
 * A private redis-server is killed (SIGKILL) and started again, empty, under a steady stream of
 * commands: every answer is a success with its log row or a fast 503 from the catalog, the
 * process never sees an unhandled error, and it recovers by itself.
 */
describe.skipIf(skipWithout(missing))(`Redis killed and restarted mid-load${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let redis: PrivateRedis;
  let t: TestApp;
  let alex: string;
  let nova: string;
  beforeAll(async () => {
    redis = await startPrivateRedis();
    t = await createTestApp({ REDIS_URL: redis.url, COMMAND_RATE_LIMIT_MAX: '100000' });
    [alex, nova] = await Promise.all([t.tokenFor('alex'), t.tokenFor('nova')]);
  });
  afterAll(async () => {
    await t?.close();
    await redis?.close();
  });
  // A test that fails while Redis is down must not take the next ones with it.
  afterEach(async () => { await redis?.start(); });

  const say = async (token: string, body: { text: string; sessionId?: string; commandId?: string }) => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/commands', headers: { authorization: `Bearer ${token}` }, payload: body });
    return { status: res.statusCode, body: res.json() as Record<string, unknown>, headers: res.headers };
  };
  const loggedIds = async (ids: readonly string[]) => new Set((await t.database.db.dataSource.query(
    'SELECT command_id FROM voice_commands WHERE command_id = ANY($1::text[])', [ids]) as { command_id: string }[]).map((r) => r.command_id));
  const ready = async () => (await t.app.inject({ method: 'GET', url: '/ready' }));
  const okAfter = (samples: readonly Sample[], since: number) => samples.filter((s) => s.startedAt >= since && s.status === 200).length;

  it('answers every command with its logged result or a fast 503, and recovers once Redis is back', async () => {
    const load = startLoad((r) => say(alex, r), { workers: 4, texts: ["what's my balance", 'what can I say'], prefix: 'rl' });
    try {
      await waitFor('commands succeeding before the fault', () => okAfter(load.samples, 0) >= 20);
      const killedAt = Date.now();
      await redis.kill();
      await waitFor('503s while Redis is down', () => load.after(killedAt).filter((s) => s.status === 503).length >= 10);

      const down = await ready();
      expect(down.statusCode).toBe(503);
      expect(down.json()).toMatchObject({ status: 'not_ready', checks: { database: 'ok', cache: expect.stringMatching(/^down: /) } });

      const restartedAt = Date.now();
      await redis.start();
      // Recovery needs no restart of the app: ioredis reconnects within a second.
      const recovered = await waitFor('a command succeeding after the restart', () => load.after(restartedAt).find((s) => s.status === 200), 10_000);
      expect(recovered.startedAt - restartedAt).toBeLessThan(5_000);
      await waitFor('steady successes after the restart', () => okAfter(load.samples, recovered.startedAt) >= 20);
    } finally {
      await load.stop();
    }

    const { samples } = load;
    const failed = samples.filter((s) => s.status !== 200);
    expect(failed.length).toBeGreaterThan(0);
    for (const s of failed) {
      expect(s.status, JSON.stringify(s)).toBe(503);
      expect(s.body).toEqual(CACHE_DOWN);
      // Fail fast: never a request hanging until Redis is back.
      expect(s.ms, s.commandId).toBeLessThan(3_000);
    }
    for (const s of samples.filter((x) => x.status === 200)) expect(s.body, s.commandId).toMatchObject({ commandId: s.commandId, outcome: 'ok' });

    // Acknowledged = logged; refused = not logged (nothing happened), and a retry now goes through once.
    const logged = await loggedIds(samples.map((s) => s.commandId));
    for (const s of samples) expect(logged.has(s.commandId), `${s.status} ${s.commandId}`).toBe(s.status === 200);
    for (const s of failed.slice(0, 20)) {
      const retry = await say(alex, { text: s.text, sessionId: s.sessionId, commandId: s.commandId });
      expect(retry.status).toBe(200);
      expect(retry.body).toMatchObject({ commandId: s.commandId, outcome: 'ok' });
    }
    const [{ n }] = await t.database.db.dataSource.query(
      'SELECT COUNT(*)::int AS n FROM voice_commands WHERE command_id = ANY($1::text[])', [samples.map((s) => s.commandId)]) as { n: number }[];
    expect(n).toBe(samples.filter((s) => s.status === 200).length + Math.min(20, failed.length));
    expect((await ready()).statusCode).toBe(200);
  });

  it('a pending confirmation lost with Redis is never acted on; a new one works', async () => {
    const sessionId = 'redis-dialog-1';
    const ask = await say(alex, { text: 'buy the crystal wave chip', sessionId });
    expect(ask.body).toMatchObject({ intent: 'BuyChip', reply: { expectsReply: true } });
    const purchases = async () => Number((await t.database.db.dataSource.query(
      `SELECT COUNT(*)::int AS n FROM transactions t JOIN users u ON u.id = t.buyer_id WHERE u.username = 'alex'`) as { n: number }[])[0]!.n);
    const before = await purchases();

    await redis.kill();
    const during = await say(alex, { text: 'yes', sessionId, commandId: 'redis-dialog-yes-1' });
    expect(during.status).toBe(503);
    expect(during.body).toEqual(CACHE_DOWN);
    expect(during.headers['retry-after']).toBe('1');
    await redis.start();

    // The restarted Redis is empty: the read-back is gone, so "yes" confirms nothing.
    const after = await waitFor('the first command after the restart', async () => {
      const r = await say(alex, { text: 'yes', sessionId, commandId: 'redis-dialog-yes-1' });
      return r.status === 200 ? r : null;
    }, 10_000);
    expect(after.body).toMatchObject({ intent: 'Confirm', outcome: 'rejected', reply: { text: "There's nothing to confirm right now." } });
    expect(await purchases()).toBe(before);

    expect((await say(alex, { text: 'buy the crystal wave chip', sessionId })).body).toMatchObject({ reply: { expectsReply: true } });
    expect((await say(alex, { text: 'yes', sessionId })).body).toMatchObject({ intent: 'BuyChip', outcome: 'ok', reply: { text: expect.stringMatching(/^Done\. You bought Crystal Wave/) } });
    expect(await purchases()).toBe(before + 1);
  });

  it('pub/sub: a subscription refused while Redis is down is made on the next try; bad messages are ignored', async () => {
    const pubsub = await RedisPubSub.connect(redis.url);
    const raw = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    raw.on('error', () => {});
    try {
      await redis.kill();
      await expect(pubsub.subscribe('faults:late', () => {})).rejects.toMatchObject({ code: 'HM_ERR_CACHE_UNAVAILABLE' });
      await expect(pubsub.publish('faults:late', { n: 0 })).rejects.toMatchObject({ code: 'HM_ERR_CACHE_UNAVAILABLE' });
      await redis.start();
      const got: unknown[] = [];
      await waitFor('the subscription once Redis is back', async () => {
        await pubsub.subscribe('faults:late', (m) => got.push(m)).catch(() => {});
        await pubsub.publish('faults:late', { n: 1 }).catch(() => {});
        return got.length > 0;
      }, 10_000);
      // Another deployment (or anyone) publishing garbage must not take this process down.
      await raw.connect();
      await raw.publish('holomesh:faults:late', 'not json {');
      await pubsub.publish('faults:late', { n: 2 });
      await waitFor('the message after the garbage', () => got.some((m) => (m as { n: number }).n === 2));
    } finally {
      raw.disconnect();
      await pubsub.close();
    }
  });

  it('pub/sub: a subscription asked for at every turn of the event loop while Redis comes back is not lost', async () => {
    const pubsub = await RedisPubSub.connect(redis.url);
    try {
      await redis.kill();
      // Asked for from before Redis is back, so that one attempt lands between the reconnection and
      // its ready check, where a SUBSCRIBE once took the connection into subscriber mode, failed
      // that check and was never made again.
      const got: unknown[] = [];
      const subscribing = (async () => {
        while (!(await pubsub.subscribe('faults:coming-back', (m) => got.push(m)).then(() => true, () => false))) {
          await new Promise((r) => setImmediate(r));
        }
      })();
      await redis.start();
      await subscribing;
      await waitFor('the message on the channel subscribed while Redis came back', async () => {
        await pubsub.publish('faults:coming-back', { n: 1 }).catch(() => {});
        return got.length > 0;
      }, 10_000);
    } finally {
      await pubsub.close();
    }
  });

  it('a voice session gets error frames while Redis is down, stays open, and its notifications resume', async () => {
    const frames = (ws: WebSocket) => {
      const got: Record<string, unknown>[] = [];
      ws.on('message', (data: Buffer) => got.push(JSON.parse(data.toString('utf8')) as Record<string, unknown>));
      return got;
    };
    const alexWs = await t.app.injectWS('/v1/voice', { headers: { authorization: `Bearer ${alex}` } });
    const novaWs = await t.app.injectWS('/v1/voice', { headers: { authorization: `Bearer ${nova}` } });
    const alexFrames = frames(alexWs);
    const novaFrames = frames(novaWs);
    const [{ id: novaId }] = await t.database.db.dataSource.query(`SELECT id FROM users WHERE username = 'nova'`) as { id: string }[];
    const subscribers = async () => {
      const probe = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => {});
      try {
        await probe.connect();
        const [, n] = await probe.pubsub('NUMSUB', `holomesh:user:${novaId}`) as [string, number];
        return Number(n);
      } finally {
        probe.disconnect();
      }
    };
    try {
      await waitFor('nova subscribed to notifications', async () => (await subscribers()) > 0);

      await redis.kill();
      alexWs.send(JSON.stringify({ type: 'text', text: "what's my balance", commandId: 'redis-ws-down-1' }));
      const error = await waitFor('an error frame', () => alexFrames.find((f) => f.type === 'error'));
      expect(error).toEqual({ type: 'error', ...CACHE_DOWN.error });
      expect(alexWs.readyState).toBe(alexWs.OPEN);

      await redis.start();
      // The same socket works again, and nova's subscription came back with the connection.
      await waitFor('nova subscribed again after the restart', async () => (await subscribers()) > 0, 10_000);
      alexWs.send(JSON.stringify({ type: 'text', text: "what's my balance", commandId: 'redis-ws-up-1' }));
      const reply = await waitFor('a reply frame', () => alexFrames.find((f) => f.type === 'reply'));
      expect(reply).toMatchObject({ commandId: 'redis-ws-up-1', intent: 'CheckBalance', outcome: 'ok' });

      const sessionId = 'redis-ws-buy-1';
      expect((await say(alex, { text: 'buy the neon dragon chip', sessionId })).status).toBe(200);
      expect((await say(alex, { text: 'yes', sessionId })).body).toMatchObject({ outcome: 'ok', intent: 'BuyChip' });
      const sale = await waitFor('a sale notification for nova', () => novaFrames.find((f) => f.type === 'notification' && /bought Neon Dragon/.test(String(f.text))));
      expect(sale).toMatchObject({ kind: 'sale' });
    } finally {
      alexWs.terminate();
      novaWs.terminate();
    }
  });
});
