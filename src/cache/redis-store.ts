import { Redis } from 'ioredis';
import type { PubSub, SessionStore } from './session-store.js';

const KEY_PREFIX = 'holomesh:';

function connect(url: string, name: string): Redis {
  return new Redis(url, {
    connectionName: name,
    keyPrefix: KEY_PREFIX,
    // Fail fast while Redis is down instead of queueing commands without bound;
    // ioredis keeps reconnecting in the background and recovers by itself.
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    lazyConnect: true,
  });
}

/** {@link SessionStore} on Redis: shared by every instance, so a dialog survives reconnecting elsewhere. */
export class RedisSessionStore implements SessionStore {
  readonly kind = 'redis' as const;
  readonly #redis: Redis;

  private constructor(redis: Redis) {
    this.#redis = redis;
  }

  /** @throws when Redis cannot be reached at start. */
  static async connect(url: string): Promise<RedisSessionStore> {
    const redis = connect(url, 'holomesh-store');
    redis.on('error', () => {}); // surfaced per command and by ping(); avoids unhandled 'error' events
    await redis.connect();
    return new RedisSessionStore(redis);
  }

  async get<T>(key: string): Promise<T | null> {
    const json = await this.#redis.get(key);
    return json === null ? null : (JSON.parse(json) as T);
  }

  async set(key: string, value: unknown, ttlS: number): Promise<void> {
    await this.#redis.set(key, JSON.stringify(value), 'EX', ttlS);
  }

  async delete(key: string): Promise<void> {
    await this.#redis.del(key);
  }

  async increment(key: string, ttlS: number): Promise<number> {
    const [[, count]] = (await this.#redis.multi().incr(key).expire(key, ttlS, 'NX').exec()) as [[unknown, number]];
    return count;
  }

  async ping(): Promise<void> {
    await this.#redis.ping();
  }

  async close(): Promise<void> {
    this.#redis.disconnect();
  }
}

/** {@link PubSub} on Redis channels: reaches subscribers on every instance. */
export class RedisPubSub implements PubSub {
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  readonly #handlers = new Map<string, Set<(message: unknown) => void>>();

  private constructor(publisher: Redis, subscriber: Redis) {
    this.#publisher = publisher;
    this.#subscriber = subscriber;
    subscriber.on('message', (channel: string, json: string) => {
      const prefixed = channel.startsWith(KEY_PREFIX) ? channel.slice(KEY_PREFIX.length) : channel;
      const message = JSON.parse(json) as unknown;
      for (const handler of this.#handlers.get(prefixed) ?? []) handler(message);
    });
  }

  static async connect(url: string): Promise<RedisPubSub> {
    const publisher = connect(url, 'holomesh-pub');
    const subscriber = connect(url, 'holomesh-sub');
    for (const r of [publisher, subscriber]) r.on('error', () => {});
    await Promise.all([publisher.connect(), subscriber.connect()]);
    return new RedisPubSub(publisher, subscriber);
  }

  async publish(channel: string, message: unknown): Promise<void> {
    // keyPrefix does not apply to channels: prefix by hand so deployments sharing a Redis stay apart.
    await this.#publisher.publish(KEY_PREFIX + channel, JSON.stringify(message));
  }

  async subscribe(channel: string, onMessage: (message: unknown) => void): Promise<() => Promise<void>> {
    let handlers = this.#handlers.get(channel);
    if (!handlers) {
      handlers = new Set();
      this.#handlers.set(channel, handlers);
      await this.#subscriber.subscribe(KEY_PREFIX + channel);
    }
    handlers.add(onMessage);
    return async () => {
      handlers.delete(onMessage);
      if (handlers.size === 0 && this.#handlers.get(channel) === handlers) {
        this.#handlers.delete(channel);
        await this.#subscriber.unsubscribe(KEY_PREFIX + channel).catch(() => {});
      }
    };
  }

  async close(): Promise<void> {
    this.#publisher.disconnect();
    this.#subscriber.disconnect();
  }
}
