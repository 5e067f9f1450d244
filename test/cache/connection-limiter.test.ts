import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnectionLimiter, MemorySlotStore, RedisSlotStore, type SlotStore } from '../../src/cache/connection-limiter.js';
import { createAuthTestApp, type AuthTestApp } from '../auth/helpers.js';
import { REDIS_MISSING, skipWithout } from '../helpers/skip.js';

const redisUrl = process.env.REDIS_URL;
const stores: { name: string; make: () => Promise<{ store: SlotStore; close: () => Promise<void> }> }[] = [
  { name: 'memory', make: async () => ({ store: new MemorySlotStore(), close: async () => {} }) },
];
if (redisUrl && !skipWithout(REDIS_MISSING)) {
  stores.push({
    name: 'redis',
    make: async () => {
      const redis = new Redis(redisUrl, { keyPrefix: 'holomesh-test:' });
      return { store: new RedisSlotStore(redis), close: async () => { redis.disconnect(); } };
    },
  });
}

describe.each(stores)('connection limiter ($name)', ({ make }) => {
  let store: SlotStore;
  let close: () => Promise<void>;
  beforeAll(async () => { ({ store, close } = await make()); });
  afterAll(async () => { await close?.(); });
  const key = () => `test:${randomBytes(6).toString('hex')}`;

  it('hands out at most max slots and takes them back', async () => {
    const limiter = createConnectionLimiter(store, { leakTtlS: 60 });
    const k = key();
    expect(await limiter.acquire(k, 2)).toBe(true);
    expect(await limiter.acquire(k, 2)).toBe(true);
    expect(await limiter.acquire(k, 2)).toBe(false);
    expect(await limiter.count(k)).toBe(2);
    await limiter.release(k);
    expect(await limiter.acquire(k, 2)).toBe(true);
    expect(await limiter.acquire(k, 0)).toBe(false);
  });

  it('never goes below zero when released too often', async () => {
    const limiter = createConnectionLimiter(store, { leakTtlS: 60 });
    const k = key();
    await limiter.release(k);
    expect(await limiter.acquire(k, 1)).toBe(true);
    await limiter.release(k);
    await limiter.release(k);
    expect(await limiter.count(k)).toBe(0);
    expect(await limiter.acquire(k, 1)).toBe(true);
    expect(await limiter.acquire(k, 1)).toBe(false);
  });

  it('is atomic under concurrent acquires', async () => {
    const limiter = createConnectionLimiter(store, { leakTtlS: 60 });
    const k = key();
    const results = await Promise.all(Array.from({ length: 20 }, () => limiter.acquire(k, 5)));
    expect(results.filter(Boolean)).toHaveLength(5);
  });

  it('slots leaked by a crashed holder expire', async () => {
    const limiter = createConnectionLimiter(store, { leakTtlS: 1 });
    const k = key();
    expect(await limiter.acquire(k, 1)).toBe(true);
    expect(await limiter.acquire(k, 1)).toBe(false);
    await new Promise((r) => setTimeout(r, 1_100));
    expect(await limiter.acquire(k, 1)).toBe(true);
  });
});

describe('app.connectionLimiter', () => {
  let t: AuthTestApp;
  beforeAll(async () => { t = await createAuthTestApp(); });
  afterAll(async () => { await t?.close(); });

  it('is decorated on the app (Redis-backed when REDIS_URL is set)', async () => {
    const k = `ws-ip:${randomBytes(6).toString('hex')}`;
    expect(await t.app.connectionLimiter.acquire(k, 1)).toBe(true);
    expect(await t.app.connectionLimiter.acquire(k, 1)).toBe(false);
    await t.app.connectionLimiter.release(k);
    expect(await t.app.connectionLimiter.count(k)).toBe(0);
  });
});
