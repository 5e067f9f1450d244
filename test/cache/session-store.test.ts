import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryPubSub, MemorySessionStore, RedisPubSub, RedisSessionStore, type PubSub, type SessionStore } from '../../src/cache/index.js';
import { REDIS_MISSING, skipWithout } from '../helpers/skip.js';

const redisUrl = process.env.REDIS_URL;

/** One contract, two implementations: the same tests run against both. */
const implementations: [string, () => Promise<{ store: SessionStore; pubsub: PubSub }>][] = [
  ['in-process', async () => ({ store: new MemorySessionStore(), pubsub: new MemoryPubSub() })],
];
if (redisUrl && !skipWithout(REDIS_MISSING)) {
  implementations.push(['redis', async () => ({ store: await RedisSessionStore.connect(redisUrl), pubsub: await RedisPubSub.connect(redisUrl) })]);
}

describe.each(implementations)('%s session store', (_name, open) => {
  let store: SessionStore;
  let pubsub: PubSub;
  beforeAll(async () => ({ store, pubsub } = await open()));
  afterAll(async () => { await store?.close(); await pubsub?.close(); });

  it('stores JSON values and returns copies', async () => {
    const key = `t:${randomUUID()}`;
    const value = { step: 'confirm', slots: { chip: 'Neon Dragon' }, n: 2 };
    await store.set(key, value, 60);
    const read = await store.get<typeof value>(key);
    expect(read).toEqual(value);
    expect(read).not.toBe(value);
    await store.delete(key);
    expect(await store.get(key)).toBeNull();
  });

  it('expires values after their TTL', async () => {
    const key = `t:${randomUUID()}`;
    await store.set(key, { a: 1 }, 1);
    expect(await store.get(key)).toEqual({ a: 1 });
    await new Promise((r) => setTimeout(r, 1_200));
    expect(await store.get(key)).toBeNull();
  });

  it('counts with a window that starts at the first increment', async () => {
    const key = `t:${randomUUID()}`;
    expect(await store.increment(key, 60)).toBe(1);
    expect(await store.increment(key, 60)).toBe(2);
    expect(await store.increment(key, 60)).toBe(3);
  });

  it('answers ping', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it('delivers published messages to subscribers until they unsubscribe', async () => {
    const channel = `c:${randomUUID()}`;
    const got: unknown[] = [];
    const unsubscribe = await pubsub.subscribe(channel, (m) => got.push(m));
    await pubsub.publish(channel, { kind: 'sale', chip: 'Neon Dragon' });
    await expect.poll(() => got.length).toBe(1);
    expect(got[0]).toEqual({ kind: 'sale', chip: 'Neon Dragon' });
    await unsubscribe();
    // A marker on a channel still subscribed, published after: once it is in, 'late' would be too.
    const marker = `c:${randomUUID()}`;
    const markers: unknown[] = [];
    const stopMarker = await pubsub.subscribe(marker, (m) => markers.push(m));
    await pubsub.publish(channel, { kind: 'late' });
    await pubsub.publish(marker, { kind: 'marker' });
    await expect.poll(() => markers.length).toBe(1);
    await stopMarker();
    expect(got).toHaveLength(1);
  });
});

describe.skipIf(!redisUrl)('redis pub/sub across connections', () => {
  it('reaches a subscriber on another connection (another instance)', async () => {
    const a = await RedisPubSub.connect(redisUrl!);
    const b = await RedisPubSub.connect(redisUrl!);
    try {
      const channel = `c:${randomUUID()}`;
      const got: unknown[] = [];
      await b.subscribe(channel, (m) => got.push(m));
      await a.publish(channel, { hello: 'b' });
      await expect.poll(() => got).toEqual([{ hello: 'b' }]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
