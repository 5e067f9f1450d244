import type { Worker } from 'node:worker_threads';
import type { Transcript } from '../contracts.js';
import type { FinishOptions, PartialResult, RecognizerStream } from './engine.js';
import { SpeechError } from './errors.js';
import type { SpeechErrorCode } from './errors.js';

/**
 * Decoding off the event loop: a pool of worker threads, each with its own decoder (the
 * SoundSwallower and the Vosk engines both use it). Every stream is pinned to the least busy worker
 * for its whole life, so its chunks stay in order and a slow stream only shares a core with the
 * streams of its own worker. A worker that crashes, or whose replacement fails to start, is
 * replaced after a growing back-off; after too many failures in a row the pool stops trying and
 * tells callers why (see CrashPolicy).
 */

/** What a pool worker sends (the protocol both engines' workers speak). Every request carries a `seq`. */
export type PoolReply =
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly error: SerializedError }
  | { readonly type: 'reply'; readonly seq: number; readonly ok: true; readonly value: unknown }
  | { readonly type: 'reply'; readonly seq: number; readonly ok: false; readonly error: SerializedError };

export interface SerializedError {
  readonly message: string;
  readonly code?: string;
}

/** A request as the pool's caller gives it (the pool numbers it). */
export interface PoolMessage {
  readonly type: string;
}

/** What the pool balances on: a worker's open streams and the requests it has not answered yet. */
export interface BalancedWorker {
  streams: number;
  readonly alive: boolean;
  readonly pending: number;
}

/**
 * The live worker with the fewest streams (then the fewest unanswered requests; then the one
 * after `last`, so ties rotate). The caller must count the stream on it before any `await`:
 * streams opened in the same tick would otherwise all see the same counts and pile onto one worker.
 */
export function leastLoaded<W extends BalancedWorker>(workers: readonly W[], last: W | undefined): W | undefined {
  const start = last ? workers.indexOf(last) + 1 : 0;
  let best: W | undefined;
  for (let k = 0; k < workers.length; k++) {
    const w = workers[(start + k) % workers.length];
    if (!w.alive) continue;
    if (!best || w.streams < best.streams || (w.streams === best.streams && w.pending < best.pending)) best = w;
  }
  return best;
}

export interface SpeechLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** How the pool treats a worker that dies after start-up (crash, or a replacement that fails to start). */
export interface CrashPolicy {
  /** Replacements tried in a row without one becoming ready; then the slot stays empty. */
  readonly maxRestarts: number;
  /** Wait before the first replacement; doubled for each further failure in a row. */
  readonly backoffMs: number;
  /** The longest wait between tries. */
  readonly maxBackoffMs: number;
}

export const DEFAULT_CRASH_POLICY: CrashPolicy = { maxRestarts: 5, backoffMs: 250, maxBackoffMs: 10_000 };

export interface WorkerPoolOptions {
  /** Worker threads (at least one). */
  readonly size: number;
  /** Starts one worker thread speaking PoolReply; `attempt` counts every spawn of this pool from 0. */
  readonly spawn: (attempt: number) => Worker;
  /** In logs and errors, e.g. `speech` or `vosk`. */
  readonly label: string;
  readonly logger?: SpeechLogger;
  readonly crashPolicy?: CrashPolicy;
}

export function asSpeechErrorCode(code: string | undefined): SpeechErrorCode {
  return code?.startsWith('HM_ERR_SPEECH_') ? (code as SpeechErrorCode) : 'HM_ERR_SPEECH_WORKER_FAILED';
}

/** A worker thread with its request/reply bookkeeping. */
export class PoolWorker<M extends PoolMessage> implements BalancedWorker {
  readonly id: number;
  streams = 0;
  readonly ready: Promise<void>;
  readonly #worker: Worker;
  #seq = 0;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #dead: Error | null = null;

  /** `onDeath` is told once, when the worker failed to start or stopped while not being closed. */
  constructor(id: number, worker: Worker, label: string, onDeath: (worker: PoolWorker<M>, error: Error) => void) {
    this.id = id;
    this.#worker = worker;
    this.ready = new Promise<void>((resolve, reject) => {
      const die = (error: Error): void => {
        if (this.#dead) return;
        this.#dead = error;
        reject(error);
        for (const p of this.#pending.values()) p.reject(error);
        this.#pending.clear();
        onDeath(this, error);
      };
      worker.on('message', (reply: PoolReply) => {
        if (reply.type === 'ready') resolve();
        else if (reply.type === 'failed') {
          die(new SpeechError(asSpeechErrorCode(reply.error.code), reply.error.message));
          void worker.terminate();
        } else {
          const pending = this.#pending.get(reply.seq);
          this.#pending.delete(reply.seq);
          if (!pending) return;
          if (reply.ok) pending.resolve(reply.value);
          else pending.reject(new SpeechError(asSpeechErrorCode(reply.error.code), reply.error.message));
        }
      });
      worker.on('error', (error) => die(new SpeechError('HM_ERR_SPEECH_WORKER_FAILED', `${label} worker failed: ${error.message}`, { cause: error })));
      worker.on('exit', (code) => die(new SpeechError('HM_ERR_SPEECH_WORKER_FAILED', `${label} worker exited (code ${code})`)));
    });
    // A start-up failure is reported by whoever awaits `ready`; never as an unhandled rejection.
    this.ready.catch(() => undefined);
  }

  request<T>(message: M): Promise<T> {
    if (this.#dead) return Promise.reject(this.#dead);
    const seq = ++this.#seq;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(seq, { resolve: resolve as (v: unknown) => void, reject });
      this.#worker.postMessage({ ...message, seq });
    });
  }

  get alive(): boolean {
    return this.#dead === null;
  }

  /** Requests sent and not answered yet (the worker's queue). */
  get pending(): number {
    return this.#pending.size;
  }

  async terminate(): Promise<void> {
    this.#dead ??= new SpeechError('HM_ERR_SPEECH_ENGINE_UNAVAILABLE', 'The speech engine is closed');
    await this.#worker.terminate();
  }
}

export class WorkerPool<M extends PoolMessage> {
  readonly #options: WorkerPoolOptions;
  readonly #policy: CrashPolicy;
  #workers: PoolWorker<M | StreamMessage>[] = [];
  #spawned = 0;
  #nextStream = 0;
  #lastPicked: PoolWorker<M | StreamMessage> | undefined;
  #closed = false;
  /** Deaths since a worker last became ready. */
  #failures = 0;
  /** Set once the pool stopped replacing workers: why. */
  #gaveUp: Error | null = null;
  /** Replacements waiting out their back-off or starting. */
  readonly #restarts = new Set<Promise<void>>();
  readonly #timers = new Set<NodeJS.Timeout>();

  private constructor(options: WorkerPoolOptions) {
    this.#options = options;
    this.#policy = options.crashPolicy ?? DEFAULT_CRASH_POLICY;
  }

  /** Starts the workers and waits until each is ready; one that fails to start fails the whole start. */
  static async start<M extends PoolMessage>(options: WorkerPoolOptions): Promise<WorkerPool<M>> {
    const pool = new WorkerPool<M>(options);
    pool.#workers = Array.from({ length: Math.max(1, options.size) }, () => pool.#spawn());
    try {
      await Promise.all(pool.#workers.map((w) => w.ready));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /** Number of worker threads. */
  get size(): number {
    return this.#workers.length;
  }

  /** Workers running or starting. */
  get alive(): number {
    return this.#workers.filter((w) => w.alive).length;
  }

  /** Opens a stream on the least busy worker with the message `open(stream number)`. */
  async openStream(open: (stream: number) => M): Promise<WorkerStream> {
    if (this.#closed) throw new SpeechError('HM_ERR_SPEECH_ENGINE_UNAVAILABLE', 'The speech engine is closed');
    const worker = leastLoaded(this.#workers, this.#lastPicked);
    if (!worker) throw this.#unavailable();
    this.#lastPicked = worker;
    // Counted before the first await, so the next stream opened in this tick goes elsewhere.
    worker.streams++;
    const stream = ++this.#nextStream;
    try {
      await worker.ready;
      await worker.request(open(stream));
    } catch (error) {
      worker.streams--;
      throw error;
    }
    return new WorkerStream(worker, stream);
  }

  /** Sends `message` to every live worker once it is ready. */
  async broadcast(message: M): Promise<void> {
    if (this.#closed) throw new SpeechError('HM_ERR_SPEECH_ENGINE_UNAVAILABLE', 'The speech engine is closed');
    await Promise.all(
      this.#workers.filter((w) => w.alive).map(async (w) => {
        await w.ready;
        await w.request(message);
      }),
    );
  }

  /** Resolves once no replacement is waiting or starting (tests, diagnostics). */
  async settled(): Promise<void> {
    while (this.#restarts.size) await Promise.all(this.#restarts);
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }

  #unavailable(): SpeechError {
    const label = this.#options.label;
    if (this.#gaveUp) {
      return new SpeechError('HM_ERR_SPEECH_ENGINE_UNAVAILABLE', `No ${label} worker is running: they failed ${this.#failures} times in a row (last: ${this.#gaveUp.message})`);
    }
    return new SpeechError('HM_ERR_SPEECH_ENGINE_UNAVAILABLE', `No ${label} worker is running: a replacement is starting`);
  }

  #spawn(): PoolWorker<M | StreamMessage> {
    const id = this.#spawned++;
    const worker = new PoolWorker<M | StreamMessage>(id, this.#options.spawn(id), this.#options.label, (dead, error) => this.#onDeath(dead, error));
    worker.ready.then(
      () => {
        this.#failures = 0;
      },
      () => undefined,
    );
    return worker;
  }

  #onDeath(dead: PoolWorker<M | StreamMessage>, error: Error): void {
    if (this.#closed) return;
    const { label, logger } = this.#options;
    this.#failures++;
    if (this.#failures > this.#policy.maxRestarts) {
      this.#gaveUp = error;
      logger?.error({ worker: dead.id, err: error.message, failures: this.#failures }, `${label} worker died; not replaced after ${this.#policy.maxRestarts} failed replacements in a row`);
      return;
    }
    const delay = Math.min(this.#policy.maxBackoffMs, this.#policy.backoffMs * 2 ** (this.#failures - 1));
    logger?.error({ worker: dead.id, err: error.message, retryInMs: delay }, `${label} worker died; starting a replacement`);
    const restart = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        const index = this.#workers.indexOf(dead);
        if (this.#closed || index < 0) return resolve();
        const replacement = this.#spawn();
        this.#workers[index] = replacement;
        // Settled when it is ready or has failed (a failure schedules the next try first).
        replacement.ready.then(resolve, resolve);
      }, delay);
      this.#timers.add(timer);
    });
    this.#restarts.add(restart);
    void restart.then(() => this.#restarts.delete(restart));
  }
}

/** What a stream sends its worker (every pool worker understands these). */
export type StreamMessage = { type: 'accept'; stream: number; pcm: Int16Array } | { type: 'finish'; stream: number; options?: FinishOptions } | { type: 'close'; stream: number };

/** The part of a worker a stream talks to. */
export interface StreamHost {
  streams: number;
  readonly alive: boolean;
  request<T>(message: StreamMessage): Promise<T>;
}

/** A recognition stream living in a worker thread, addressed by its number there. */
export class WorkerStream implements RecognizerStream {
  readonly #worker: StreamHost;
  readonly #stream: number;
  #closed = false;

  constructor(worker: StreamHost, stream: number) {
    this.#worker = worker;
    this.#stream = stream;
  }

  accept(pcm: Int16Array): Promise<PartialResult> {
    if (this.#closed) return Promise.reject(new SpeechError('HM_ERR_SPEECH_STREAM_CLOSED', 'The recognition stream is closed'));
    return this.#worker.request<PartialResult>({ type: 'accept', stream: this.#stream, pcm });
  }

  finish(options?: FinishOptions): Promise<Transcript> {
    if (this.#closed) return Promise.reject(new SpeechError('HM_ERR_SPEECH_STREAM_CLOSED', 'The recognition stream is closed'));
    return this.#worker.request<Transcript>({ type: 'finish', stream: this.#stream, ...(options ? { options: { ...options } } : {}) });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#worker.streams--;
    if (this.#worker.alive) await this.#worker.request({ type: 'close', stream: this.#stream }).catch(() => undefined);
  }
}
