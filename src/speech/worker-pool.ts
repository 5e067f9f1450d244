import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { spawnModuleWorker } from '../worker-thread.js';
import type { Transcript } from '../contracts.js';
import type { PartialResult, RecognitionGrammar, RecognizerStream, SpeechEngine, FinishOptions } from './engine.js';
import { SpeechError } from './errors.js';
import type { SpeechErrorCode } from './errors.js';
import type { RecognizerSettings } from './recognizer-settings.js';
import type { WorkerInit, WorkerReply, WorkerRequest } from './worker-protocol.js';

/**
 * Decoding off the event loop: a pool of worker threads, each with its own WASM decoder; every
 * stream is pinned to the least busy worker for its whole life, so its chunks stay in order and
 * a slow stream only shares a core with the streams of its own worker.
 */

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

export interface SpeechPoolOptions {
  readonly name: string;
  /** One line for logs: engine, model, where it came from. */
  readonly description?: string;
  /** How to get a better model, when a weaker one is in use. */
  readonly advice?: string;
  readonly settings: RecognizerSettings;
  /** Worker threads; 0 or unset = one per core. */
  readonly workers?: number;
  readonly logger?: SpeechLogger;
}

type Request = WorkerRequest extends infer R ? (R extends { seq: number } ? Omit<R, 'seq'> : never) : never;

/** Starts a worker on the recogniser entry (see spawnModuleWorker for running from sources). */
function spawn(init: WorkerInit): Worker {
  const entry = new URL(import.meta.url.endsWith('.ts') ? './speech-worker.ts' : './speech-worker.js', import.meta.url);
  return spawnModuleWorker(entry, init);
}

class PoolWorker {
  readonly id: number;
  streams = 0;
  #worker: Worker;
  #seq = 0;
  #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #dead: Error | null = null;
  readonly ready: Promise<void>;

  constructor(id: number, init: WorkerInit, onDeath: (worker: PoolWorker, error: Error) => void) {
    this.id = id;
    this.#worker = spawn(init);
    this.ready = new Promise((resolve, reject) => {
      this.#worker.on('message', (reply: WorkerReply) => {
        if (reply.type === 'ready') resolve();
        else if (reply.type === 'failed') reject(new SpeechError(asCode(reply.error.code), reply.error.message));
        else {
          const pending = this.#pending.get(reply.seq);
          this.#pending.delete(reply.seq);
          if (!pending) return;
          if (reply.ok) pending.resolve(reply.value);
          else pending.reject(new SpeechError(asCode(reply.error.code), reply.error.message));
        }
      });
      const die = (error: Error): void => {
        if (this.#dead) return;
        this.#dead = error;
        reject(error);
        for (const p of this.#pending.values()) p.reject(error);
        this.#pending.clear();
        onDeath(this, error);
      };
      this.#worker.on('error', (error) => die(new SpeechError('HM_ERR_SPEECH_WORKER_FAILED', `Speech worker failed: ${error.message}`, { cause: error })));
      this.#worker.on('exit', (code) => die(new SpeechError('HM_ERR_SPEECH_WORKER_FAILED', `Speech worker exited (code ${code})`)));
    });
    // A start-up failure is reported by whoever awaits `ready`; never as an unhandled rejection.
    this.ready.catch(() => undefined);
  }

  request<T>(message: Request): Promise<T> {
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

function asCode(code: string | undefined): SpeechErrorCode {
  return code?.startsWith('HM_ERR_SPEECH_') ? (code as SpeechErrorCode) : 'HM_ERR_SPEECH_WORKER_FAILED';
}

export class PooledSpeechEngine implements SpeechEngine {
  readonly name: string;
  readonly sampleRate: number;
  readonly description: string;
  readonly advice?: string;
  readonly #init: WorkerInit;
  readonly #logger: SpeechLogger | undefined;
  #workers: PoolWorker[] = [];
  #nextStream = 0;
  #nextWorker = 0;
  #lastPicked: PoolWorker | undefined;
  #closed = false;

  private constructor(options: SpeechPoolOptions) {
    this.name = options.name;
    this.sampleRate = options.settings.sampleRate;
    this.description = options.description ?? options.name;
    if (options.advice) this.advice = options.advice;
    this.#init = { settings: options.settings };
    this.#logger = options.logger;
  }

  /** Starts the workers and waits until each has loaded the model. */
  static async start(options: SpeechPoolOptions): Promise<PooledSpeechEngine> {
    const engine = new PooledSpeechEngine(options);
    const count = options.workers && options.workers > 0 ? options.workers : availableParallelism();
    engine.#workers = Array.from({ length: count }, () => engine.#spawn());
    try {
      await Promise.all(engine.#workers.map((w) => w.ready));
    } catch (error) {
      await engine.close();
      throw error;
    }
    return engine;
  }

  /** Number of worker threads. */
  get size(): number {
    return this.#workers.length;
  }

  async openStream(grammar: RecognitionGrammar): Promise<RecognizerStream> {
    if (this.#closed) throw new SpeechError('HM_ERR_SPEECH_ENGINE_UNAVAILABLE', 'The speech engine is closed');
    const worker = leastLoaded(this.#workers, this.#lastPicked);
    if (!worker) throw new SpeechError('HM_ERR_SPEECH_ENGINE_UNAVAILABLE', 'No speech worker is running');
    this.#lastPicked = worker;
    // Counted before the first await, so the next stream opened in this tick goes elsewhere.
    worker.streams++;
    const stream = ++this.#nextStream;
    try {
      await worker.ready;
      await worker.request({ type: 'open', stream, grammar: plainGrammar(grammar) });
    } catch (error) {
      worker.streams--;
      throw error;
    }
    return new WorkerStream(worker, stream);
  }

  /** Compiles the grammar on every worker and attaches it to their warm decoders. */
  async prepare(grammar: RecognitionGrammar): Promise<void> {
    if (this.#closed) throw new SpeechError('HM_ERR_SPEECH_ENGINE_UNAVAILABLE', 'The speech engine is closed');
    const plain = plainGrammar(grammar);
    await Promise.all(this.#workers.filter((w) => w.alive).map(async (w) => {
      await w.ready;
      await w.request({ type: 'prepare', grammar: plain });
    }));
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }

  #spawn(): PoolWorker {
    return new PoolWorker(this.#nextWorker++, this.#init, (dead, error) => {
      if (this.#closed) return;
      this.#logger?.error({ worker: dead.id, err: error.message }, 'speech worker died; starting a replacement');
      const index = this.#workers.indexOf(dead);
      if (index >= 0) this.#workers[index] = this.#spawn();
    });
  }
}

/** Only the data fields: a grammar object may carry methods or getters that do not clone. */
function plainGrammar(g: RecognitionGrammar): RecognitionGrammar {
  return { jsgf: g.jsgf, phrases: [...g.phrases], words: [...g.words], version: g.version, ...(g.graph ? { graph: g.graph } : {}) };
}

/** The part of a worker a stream talks to: the soundswallower and vosk workers both speak it. */
export interface StreamHost {
  streams: number;
  readonly alive: boolean;
  request<T>(message: { type: 'accept'; stream: number; pcm: Int16Array } | { type: 'finish'; stream: number; options?: FinishOptions } | { type: 'close'; stream: number }): Promise<T>;
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
