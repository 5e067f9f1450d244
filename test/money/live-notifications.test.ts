import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { WebSocket } from 'ws';
import type { DataSource } from 'typeorm';
import { enableAutoBuy, findDesigner } from '../../src/marketplace/index.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { conversation } from '../http/commands-helpers.js';
import { createClients, expectMoneyInvariants } from './helpers.js';
import { createSecondInstance } from '../helpers/app.js';
import { POSTGRES_MISSING, REDIS_MISSING, skipWithout } from '../helpers/skip.js';

interface Frame { type?: string; kind?: string; text?: string; id?: string; data?: Record<string, unknown> }

/** A voice WebSocket that records every notification frame it receives. */
async function listen(app: TestApp['app'], token: string): Promise<{ ws: WebSocket; frames: Frame[]; waitFor(pred: (f: Frame) => boolean, what: string): Promise<Frame> }> {
  const frames: Frame[] = [];
  const ws = await app.injectWS('/v1/voice', { headers: { authorization: `Bearer ${token}` } });
  ws.on('message', (data: Buffer) => {
    const frame = JSON.parse(data.toString('utf8')) as Frame;
    if (frame.type === 'notification') frames.push(frame);
  });
  return {
    ws,
    frames,
    async waitFor(pred, what) {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const hit = frames.find(pred);
        if (hit) return hit;
        if (Date.now() > deadline) throw new Error(`no notification ${what}; got ${JSON.stringify(frames.map((f) => f.text))}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}

const notShared = skipWithout(POSTGRES_MISSING || REDIS_MISSING);

describe.skipIf(notShared)('live notifications across instances (shared PostgreSQL and Redis)', () => {
  let a: TestApp;
  let b: Awaited<ReturnType<typeof createSecondInstance>>;
  let ds: DataSource;
  let redis: Redis;
  beforeAll(async () => {
    a = await createTestApp();
    b = await createSecondInstance(a);
    ds = a.database.db.dataSource;
    redis = new Redis(process.env.REDIS_URL!);
  });
  afterAll(async () => {
    redis?.disconnect();
    await b?.close();
    await a?.close();
  });

  /** The voice route subscribes right after the upgrade: wait until Redis has the subscriber. */
  const subscribed = async (userId: string) => {
    for (let i = 0; i < 200; i++) {
      const [, n] = await redis.pubsub('NUMSUB', `holomesh:user:${userId}`) as [string, number];
      if (Number(n) > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`user:${userId} never subscribed`);
  };

  it('pushes top-ups, new chips, auto-buys and sales made on instance A to WebSockets on instance B', async () => {
    const [fan] = await createClients(ds, 'livefan', 1, () => 0);
    const nova = (await findDesigner(ds.manager, 'Nova'))!;
    await enableAutoBuy(ds.manager, fan!.id, nova, 100);
    const fanToken = a.tokens.issueAccessToken({ userId: fan!.id, username: fan!.username, role: 'client' });
    const fanWs = await listen(b.app, fanToken);
    const novaWs = await listen(b.app, await a.tokenFor('nova'));
    await subscribed(fan!.id);
    await subscribed(nova.id);

    // 1. An admin top-up on A.
    const topUp = await a.app.inject({
      method: 'POST', url: '/v1/wallet/top-up', headers: { authorization: `Bearer ${await a.tokenFor('admin')}` },
      payload: { username: fan!.username, credits: 200 },
    });
    expect(topUp.statusCode, topUp.body).toBe(200);
    await fanWs.waitFor((f) => f.kind === 'top_up' && f.text === '200 credits were added to your wallet', 'top-up');

    // 2. Nova publishes on A: both instances' workers race for the auto-buy; B's sockets hear everything.
    const published = await a.app.inject({
      method: 'POST', url: '/v1/chips', headers: { authorization: `Bearer ${await a.tokenFor('nova')}` },
      payload: { name: 'Live Wire', priceCredits: 30, editionSize: 5, tags: ['neon'] },
    });
    expect(published.statusCode, published.body).toBe(201);
    await fanWs.waitFor((f) => f.kind === 'new_chip' && f.text === 'New chip Live Wire from Nova, 30 credits', 'new chip');
    await fanWs.waitFor((f) => f.kind === 'auto_buy' && f.text === 'Auto-bought Live Wire #1 for 30 credits', 'auto-buy');
    await novaWs.waitFor((f) => f.kind === 'sale' && f.text === `${fan!.username} bought Live Wire #1`, 'auto-buy sale');

    // 3. A spoken purchase on A (the assistant's path) reaches the designer on B.
    const sam = conversation(a.app, await a.tokenFor('sam'));
    await sam.say('buy live wire');
    expect((await sam.say('yes')).outcome).toBe('ok');
    await novaWs.waitFor((f) => f.kind === 'sale' && f.text === 'sam bought Live Wire #2', 'spoken sale');

    // Exactly one auto-buy although two workers competed; pushes carry the stored rows.
    const [{ n }] = await ds.query(`SELECT COUNT(*)::int AS n FROM transactions WHERE buyer_id = $1`, [fan!.id]);
    expect(n).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(fanWs.frames.filter((f) => f.kind === 'auto_buy')).toHaveLength(1);

    // 4. ReadNotifications (on B) reads the same rows that were pushed.
    const read = await conversation(b.app, fanToken).say('read my notifications');
    const items = (read.reply.data as { notifications: { id: string; text: string }[] }).notifications;
    expect(items.map((i) => i.id).sort()).toEqual(fanWs.frames.map((f) => f.id).sort());
    await expectMoneyInvariants(ds);
    fanWs.ws.terminate();
    novaWs.ws.terminate();
  });
});
