import type { DataSource } from 'typeorm';
import type { PubSub } from '../cache/index.js';
import { pushNotifications } from './notifications.js';
import { OUTBOX_CHANNEL, processNextEvent, recordFailure, type OutboxEventRow, type OutboxSettings } from './outbox.js';

export interface OutboxWorkerOptions {
  readonly dataSource: DataSource;
  readonly pubsub: PubSub;
  readonly settings: OutboxSettings;
  /** How often to look for due events without a nudge. Default 2000 ms. */
  readonly pollIntervalMs?: number;
  /** Events handled at the same time by this worker (each in its own transaction). Default 2. */
  readonly concurrency?: number;
  /** First retry delay after a failed try (doubles each time, at most a minute). Default 1000 ms. */
  readonly retryDelayMs?: number;
  /** Tries before an event is closed as `failed`. Default 8. */
  readonly maxAttempts?: number;
  /** Tests: runs inside the event's transaction just before it commits (throw to simulate a crash). */
  readonly beforeCommit?: (event: OutboxEventRow) => Promise<void> | void;
  readonly log?: {
    warn(obj: unknown, msg: string): void;
    error(obj: unknown, msg: string): void;
  };
}

export interface OutboxWorker {
  /** Starts polling and listening for nudges. Idempotent. */
  start(): Promise<void>;
  /** Wakes the workers of every instance (after a commit that queued events). Never throws. */
  nudge(): Promise<void>;
  /** Handles due events until none is left; resolves with how many this call handled. */
  drain(): Promise<number>;
  /** Stops polling and waits for the events in hand. Idempotent; `start()` may follow. */
  stop(): Promise<void>;
}

/**
 * The outbox worker of one instance. Every instance runs one; they share the work through
 * `FOR UPDATE SKIP LOCKED`, are woken through PubSub right after a publish, and poll as a fallback
 * (a lost nudge, a retry coming due, an instance that died holding an event).
 */
export function createOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const pollIntervalMs = options.pollIntervalMs ?? 2_000;
  const concurrency = Math.max(1, options.concurrency ?? 2);
  const policy = { retryDelayMs: options.retryDelayMs ?? 1_000, maxAttempts: options.maxAttempts ?? 8 };
  const running = new Set<Promise<number>>();
  let timer: NodeJS.Timeout | null = null;
  let unsubscribe: (() => Promise<void>) | null = null;
  let isStarted = false;
  // Set by a wake-up while every lane is busy: a lane about to stop looks once more instead, so a
  // nudge that lands just after a lane's last empty look is never left to the next poll.
  let isWakePending = false;

  /** One lane: events one after the other until none is due. */
  const lane = async (): Promise<number> => {
    let handled = 0;
    for (;;) {
      const result = await processNextEvent(options.dataSource, {
        settings: options.settings, ...(options.beforeCommit ? { beforeCommit: options.beforeCommit } : {}),
      });
      if (result.kind === 'idle') {
        if (!isWakePending) return handled;
        isWakePending = false;
        continue;
      }
      handled += 1;
      if (result.kind === 'done') {
        await pushNotifications({ db: options.dataSource, pubsub: options.pubsub, ...(options.log ? { log: options.log } : {}) }, result.outcome.notifications);
      } else {
        const { gaveUp } = await recordFailure(options.dataSource, result.event, result.error, policy);
        options.log?.[gaveUp ? 'error' : 'warn']({ err: result.error, eventId: result.event.id, kind: result.event.kind }, gaveUp ? 'outbox event failed for good' : 'outbox event failed, will retry');
      }
    }
  };

  const spawn = (): Promise<number> => {
    const run = lane().catch((err: unknown) => {
      options.log?.warn({ err }, 'outbox worker could not reach the database');
      return 0;
    }).finally(() => running.delete(run));
    running.add(run);
    return run;
  };

  /** Fills the free lanes; lanes already running pick up the new work by themselves. */
  const wake = () => {
    isWakePending = running.size >= concurrency;
    while (running.size < concurrency) spawn();
  };

  return {
    async start() {
      if (isStarted) return;
      isStarted = true;
      unsubscribe = await options.pubsub.subscribe(OUTBOX_CHANNEL, () => { if (isStarted) wake(); });
      timer = setInterval(() => { if (isStarted) wake(); }, pollIntervalMs);
      timer.unref();
      wake();
    },
    async nudge() {
      if (isStarted) wake();
      await options.pubsub.publish(OUTBOX_CHANNEL, { at: Date.now() })
        .catch((err: unknown) => options.log?.warn({ err }, 'outbox nudge not sent (the workers poll anyway)'));
    },
    async drain() {
      const lanes = Array.from({ length: concurrency }, () => spawn());
      const counts = await Promise.all(lanes);
      return counts.reduce((a, b) => a + b, 0);
    },
    async stop() {
      isStarted = false;
      if (timer) clearInterval(timer);
      timer = null;
      const off = unsubscribe;
      unsubscribe = null;
      await off?.();
      await Promise.allSettled([...running]);
    },
  };
}
