import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { WebSocket } from 'ws';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { conversation } from '../http/commands-helpers.js';
import { createSecondInstance } from '../helpers/app.js';
import { POSTGRES_MISSING, REDIS_MISSING, skipWithout } from '../helpers/skip.js';

const notShared = skipWithout(POSTGRES_MISSING || REDIS_MISSING);

describe.skipIf(notShared)('group posts reach members on every instance (shared PostgreSQL and Redis)', () => {
  let a: TestApp;
  let b: Awaited<ReturnType<typeof createSecondInstance>>;
  let redis: Redis;
  beforeAll(async () => {
    a = await createTestApp();
    b = await createSecondInstance(a);
    redis = new Redis(process.env.REDIS_URL!);
  });
  afterAll(async () => {
    redis?.disconnect();
    await b?.close();
    await a?.close();
  });

  it('a post confirmed by voice on A is pushed to the members connected to B, not to its author', async () => {
    const userId = async (username: string) => (await a.database.db.dataSource.query('SELECT id FROM users WHERE username = $1', [username]))[0].id as string;
    const listen = async (username: string) => {
      const frames: { type?: string; kind?: string; text?: string }[] = [];
      const ws: WebSocket = await b.app.injectWS('/v1/voice', { headers: { authorization: `Bearer ${await a.tokenFor(username)}` } });
      ws.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString('utf8'))));
      const id = await userId(username);
      for (let i = 0; i < 200; i++) {
        const [, n] = await redis.pubsub('NUMSUB', `holomesh:user:${id}`) as [string, number];
        if (Number(n) > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return { ws, frames };
    };
    const aria = await listen('aria');
    const mira = await listen('mira');
    const nova = await listen('nova'); // not a member of Calm Makers
    const lumen = conversation(a.app, await a.tokenFor('lumen'));
    expect((await lumen.say('post to Calm Makers saying new light series next week')).reply.expectsReply).toBe(true);
    expect((await lumen.say('yes')).reply.text).toBe('Posted to Calm Makers.');
    const expected = { type: 'notification', kind: 'group_post', text: 'Lumen Labs posted in Calm Makers: new light series next week' };
    for (const member of [aria, mira]) {
      for (let i = 0; i < 500 && !member.frames.some((f) => f.kind === 'group_post'); i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(member.frames.find((f) => f.kind === 'group_post')).toMatchObject(expected);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(nova.frames.filter((f) => f.kind === 'group_post')).toEqual([]);
    for (const s of [aria, mira, nova]) s.ws.terminate();
  });
});
