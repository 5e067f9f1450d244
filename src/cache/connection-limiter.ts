import type { Redis } from 'ioredis';

/**
 * Counters for concurrent things (open voice sessions per user), not rates (those are
 * @fastify/rate-limit's). Two implementations of one contract, like the session store: Redis
 * (shared by every instance) and in-process.
 */
export interface SlotStore {
  /**
   * Takes one of `max` slots under `key` when one is free. The count expires `ttlS` after the
   * last acquire, so slots leaked by a crashed instance come back eventually.
   */
  tryAcquire(key: string, max: number, ttlS: number): Promise<boolean>;
  /** Gives a slot back (never below zero). */
  release(key: string): Promise<void>;
  /** Slots currently taken. */
  count(key: string): Promise<number>;
}

export interface ConnectionLimiter {
  /** True (and a slot taken) when fewer than `max` are held under `key`; else false. */
  acquire(key: string, max: number): Promise<boolean>;
  /** Gives back a slot taken by `acquire`: call it exactly once per successful acquire. */
  release(key: string): Promise<void>;
  /** Slots currently held under `key`. */
  count(key: string): Promise<number>;
}

export interface ConnectionLimiterOptions {
  /** Upper bound on how long a slot can outlive a crashed holder. Default 6 hours. */
  readonly leakTtlS?: number;
}

const PREFIX = 'limit:slots:';

/**
 * Limits concurrent things, e.g. in the WebSocket layer:
 * ```ts
 * if (!(await app.connectionLimiter.acquire(`voice-sessions:${userId}`, 4))) refuse(Errors.RateLimited(5));
 * socket.once('close', () => void app.connectionLimiter.release(`voice-sessions:${userId}`));
 * ```
 */
export function createConnectionLimiter(store: SlotStore, options: ConnectionLimiterOptions = {}): ConnectionLimiter {
  const ttlS = options.leakTtlS ?? 6 * 3600;
  return {
    acquire: (key, max) => (max <= 0 ? Promise.resolve(false) : store.tryAcquire(PREFIX + key, max, ttlS)),
    release: (key) => store.release(PREFIX + key),
    count: (key) => store.count(PREFIX + key),
  };
}

/** In-process slots: one instance only. */
export class MemorySlotStore implements SlotStore {
  readonly #slots = new Map<string, { count: number; expiresAt: number }>();

  // No await between the check and the take: that is what makes it atomic in one process.
  async tryAcquire(key: string, max: number, ttlS: number): Promise<boolean> {
    const held = this.#count(key);
    if (held >= max) return false;
    this.#slots.set(key, { count: held + 1, expiresAt: Date.now() + ttlS * 1000 });
    return true;
  }

  async release(key: string): Promise<void> {
    const entry = this.#slots.get(key);
    if (!entry) return;
    if (entry.count <= 1) this.#slots.delete(key);
    else entry.count -= 1;
  }

  async count(key: string): Promise<number> {
    return this.#count(key);
  }

  #count(key: string): number {
    const entry = this.#slots.get(key);
    if (entry && entry.expiresAt <= Date.now()) this.#slots.delete(key);
    return this.#slots.get(key)?.count ?? 0;
  }
}

// Check and take in one step, so instances racing for the last slot cannot both get it.
const ACQUIRE = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n >= tonumber(ARGV[1]) then return 0 end
redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1`;
const RELEASE = `
local n = redis.call('DECR', KEYS[1])
if n <= 0 then redis.call('DEL', KEYS[1]) end
return n`;

/** Slots in Redis, shared by every instance. */
export class RedisSlotStore implements SlotStore {
  readonly #redis: Redis;

  constructor(redis: Redis) {
    this.#redis = redis;
  }

  async tryAcquire(key: string, max: number, ttlS: number): Promise<boolean> {
    return (await this.#redis.eval(ACQUIRE, 1, key, max, ttlS)) === 1;
  }

  async release(key: string): Promise<void> {
    await this.#redis.eval(RELEASE, 1, key);
  }

  async count(key: string): Promise<number> {
    return Number((await this.#redis.get(key)) ?? 0);
  }
}
