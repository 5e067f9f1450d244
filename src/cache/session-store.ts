/**
 * Short-lived shared state (sessions, dialog state) with TTLs. Two implementations of one
 * contract: Redis for production and many instances, in-process for the zero-setup mode.
 * Values are JSON-serialisable objects.
 */
export interface SessionStore {
  readonly kind: 'redis' | 'memory';
  get<T>(key: string): Promise<T | null>;
  /** Stores `value` under `key` for `ttlS` seconds (replacing any previous value and TTL). */
  set(key: string, value: unknown, ttlS: number): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Atomically adds `by` (default 1, may be negative) to a counter that expires `ttlS` seconds
   * after its first increment; returns the new value. Concurrent calls each see a distinct value.
   */
  increment(key: string, ttlS: number, by?: number): Promise<number>;
  /** @throws when the store cannot be reached (used by GET /ready). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Fan-out of events to every instance (notifications to a user's open sessions). */
export interface PubSub {
  publish(channel: string, message: unknown): Promise<void>;
  /** Returns an unsubscribe function. */
  subscribe(channel: string, onMessage: (message: unknown) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
