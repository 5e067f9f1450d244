import { MemoryPubSub, MemorySessionStore } from './memory-store.js';
import { RedisPubSub, RedisSessionStore } from './redis-store.js';
import type { PubSub, SessionStore } from './session-store.js';

export type { PubSub, SessionStore } from './session-store.js';
export { MemoryPubSub, MemorySessionStore } from './memory-store.js';
export { RedisPubSub, RedisSessionStore } from './redis-store.js';

/** Redis when a URL is configured, else the in-process implementations. */
export async function openCache(redisUrl: string | undefined): Promise<{ store: SessionStore; pubsub: PubSub }> {
  if (!redisUrl) return { store: new MemorySessionStore(), pubsub: new MemoryPubSub() };
  const [store, pubsub] = await Promise.all([RedisSessionStore.connect(redisUrl), RedisPubSub.connect(redisUrl)]);
  return { store, pubsub };
}
