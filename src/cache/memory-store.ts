import { EventEmitter } from 'node:events';
import type { PubSub, SessionStore } from './session-store.js';

interface Entry {
  readonly json: string;
  readonly expiresAt: number;
}

/** In-process {@link SessionStore} for the zero-setup mode: one instance, lost on restart. */
export class MemorySessionStore implements SessionStore {
  readonly kind = 'memory' as const;
  readonly #entries = new Map<string, Entry>();
  readonly #sweeper: NodeJS.Timeout;
  readonly #now: () => number;

  constructor(options: { sweepIntervalMs?: number; now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
    // Expired entries are also dropped on read; the sweep bounds memory for keys never read again.
    this.#sweeper = setInterval(() => this.#sweep(), options.sweepIntervalMs ?? 30_000).unref();
  }

  async get<T>(key: string): Promise<T | null> {
    const entry = this.#live(key);
    return entry ? (JSON.parse(entry.json) as T) : null;
  }

  async set(key: string, value: unknown, ttlS: number): Promise<void> {
    // Stored as JSON so callers get copies, exactly as they would from Redis.
    this.#entries.set(key, { json: JSON.stringify(value), expiresAt: this.#now() + ttlS * 1000 });
  }

  async delete(key: string): Promise<void> {
    this.#entries.delete(key);
  }

  // No await between the read and the write: atomic within this process, as INCRBY is in Redis.
  async increment(key: string, ttlS: number, by = 1): Promise<number> {
    const entry = this.#live(key);
    const next = (entry ? Number(JSON.parse(entry.json)) : 0) + by;
    this.#entries.set(key, { json: String(next), expiresAt: entry?.expiresAt ?? this.#now() + ttlS * 1000 });
    return next;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    this.#entries.clear();
  }

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry && entry.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #sweep(): void {
    const now = this.#now();
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(key);
  }
}

/** In-process {@link PubSub}: delivers to subscribers of this process only. */
export class MemoryPubSub implements PubSub {
  readonly #events = new EventEmitter().setMaxListeners(0);

  async publish(channel: string, message: unknown): Promise<void> {
    const copy = JSON.parse(JSON.stringify(message)) as unknown;
    queueMicrotask(() => this.#events.emit(channel, copy));
  }

  async subscribe(channel: string, onMessage: (message: unknown) => void): Promise<() => Promise<void>> {
    this.#events.on(channel, onMessage);
    return async () => {
      this.#events.off(channel, onMessage);
    };
  }

  async close(): Promise<void> {
    this.#events.removeAllListeners();
  }
}
