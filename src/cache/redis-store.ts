import { Redis } from 'ioredis';
import { Errors, toUnavailableError } from '../errors.js';
import type { PubSub, SessionStore } from './session-store.js';

const KEY_PREFIX = 'holomesh:';
/** Longest wait between reconnection attempts: Redis coming back is noticed within this. */
const MAX_RECONNECT_DELAY_MS = 1_000;
/** A command Redis does not answer (hung server, dead peer) fails after this, never hangs a request. */
const COMMAND_TIMEOUT_MS = 2_000;

function connect(url: string, name: string, options: { autoPipelining?: boolean; autoResubscribe?: boolean } = {}): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    keyPrefix: KEY_PREFIX,
    // Fail fast while Redis is down instead of queueing commands without bound;
    // ioredis keeps reconnecting in the background and recovers by itself.
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    lazyConnect: true,
    connectTimeout: 2_000,
    commandTimeout: COMMAND_TIMEOUT_MS,
    retryStrategy: (attempt) => Math.min(50 * attempt, MAX_RECONNECT_DELAY_MS),
    enableAutoPipelining: options.autoPipelining ?? false,
    autoResubscribe: options.autoResubscribe ?? true,
  });
  // Surfaced per command and by ping(); without a listener an 'error' event would end the process.
  redis.on('error', () => {});
  return redis;
}

/** Runs one Redis call; a connection failure becomes HM_ERR_CACHE_UNAVAILABLE (503, retryable). */
async function call<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const unavailable = toUnavailableError(err);
    if (unavailable?.code === Errors.CacheUnavailable.code) throw unavailable;
    throw err;
  }
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
    // Commands of requests handled together (dialog state, counters) go to Redis as one pipeline.
    const redis = connect(url, 'holomesh-store', { autoPipelining: true });
    await redis.connect();
    return new RedisSessionStore(redis);
  }

  async get<T>(key: string): Promise<T | null> {
    const json = await call(() => this.#redis.get(key));
    return json === null ? null : (JSON.parse(json) as T);
  }

  async set(key: string, value: unknown, ttlS: number): Promise<void> {
    await call(() => this.#redis.set(key, JSON.stringify(value), 'EX', ttlS));
  }

  async delete(key: string): Promise<void> {
    await call(() => this.#redis.del(key));
  }

  async increment(key: string, ttlS: number, by = 1): Promise<number> {
    const [[, count]] = (await call(() => this.#redis.multi().incrby(key, by).expire(key, ttlS, 'NX').exec())) as [[unknown, number]];
    return count;
  }

  async ping(): Promise<void> {
    await call(() => this.#redis.ping());
  }

  async close(): Promise<void> {
    this.#redis.disconnect();
  }
}

/**
 * {@link PubSub} on Redis channels: reaches subscribers on every instance. Each time the subscriber
 * connection is ready (after a restart of Redis too), every channel with handlers is subscribed
 * again; messages published meanwhile are lost (notifications stay readable in the database).
 */
export class RedisPubSub implements PubSub {
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  /** Per channel: its handlers, and the Redis SUBSCRIBE they wait for. */
  readonly #channels = new Map<string, { readonly handlers: Set<(message: unknown) => void>; readonly subscribed: Promise<unknown> }>();

  private constructor(publisher: Redis, subscriber: Redis) {
    this.#publisher = publisher;
    this.#subscriber = subscriber;
    subscriber.on('message', (channel: string, json: string) => this.#deliver(channel, json));
    // The channels this process wants are the truth, not what the connection remembers: ioredis
    // forgets a SUBSCRIBE whose connection failed its ready check, and the channel stays silent.
    subscriber.on('ready', () => {
      const channels = [...this.#channels.keys()].map((channel) => KEY_PREFIX + channel);
      if (channels.length) subscriber.subscribe(...channels).catch(() => {});
    });
  }

  static async connect(url: string): Promise<RedisPubSub> {
    const publisher = connect(url, 'holomesh-pub');
    const subscriber = connect(url, 'holomesh-sub', { autoResubscribe: false });
    await Promise.all([publisher.connect(), subscriber.connect()]);
    return new RedisPubSub(publisher, subscriber);
  }

  async publish(channel: string, message: unknown): Promise<void> {
    // keyPrefix does not apply to channels: prefix by hand so deployments sharing a Redis stay apart.
    await call(() => this.#publisher.publish(KEY_PREFIX + channel, JSON.stringify(message)));
  }

  async subscribe(channel: string, onMessage: (message: unknown) => void): Promise<() => Promise<void>> {
    let entry = this.#channels.get(channel);
    if (!entry) {
      // Before its ready check a reconnecting connection would send SUBSCRIBE too, and that check
      // (INFO) then fails in subscriber mode: refuse as unavailable, the caller tries again.
      const subscribed = this.#subscriber.status === 'ready'
        ? call(() => this.#subscriber.subscribe(KEY_PREFIX + channel))
        : Promise.reject(Errors.CacheUnavailable());
      const created = { handlers: new Set<(message: unknown) => void>(), subscribed };
      entry = created;
      this.#channels.set(channel, created);
      // A failed SUBSCRIBE is forgotten, so the next subscriber asks Redis again.
      subscribed.catch(() => { if (this.#channels.get(channel) === created) this.#channels.delete(channel); });
    }
    await entry.subscribed;
    // The last subscriber left while this one waited: that SUBSCRIBE is undone, start over.
    if (this.#channels.get(channel) !== entry) return this.subscribe(channel, onMessage);
    const { handlers } = entry;
    handlers.add(onMessage);
    return async () => {
      handlers.delete(onMessage);
      if (handlers.size === 0 && this.#channels.get(channel) === entry) {
        this.#channels.delete(channel);
        await this.#subscriber.unsubscribe(KEY_PREFIX + channel).catch(() => {});
      }
    };
  }

  async close(): Promise<void> {
    this.#publisher.disconnect();
    this.#subscriber.disconnect();
  }

  // Runs in an event listener: a malformed message or a throwing handler must not end the process.
  #deliver(channel: string, json: string): void {
    const name = channel.startsWith(KEY_PREFIX) ? channel.slice(KEY_PREFIX.length) : channel;
    const handlers = this.#channels.get(name)?.handlers;
    if (!handlers) return;
    let message: unknown;
    try {
      message = JSON.parse(json);
    } catch {
      return;
    }
    for (const handler of handlers) {
      try {
        handler(message);
      } catch {
        // one subscriber's failure is not the others' concern
      }
    }
  }
}
