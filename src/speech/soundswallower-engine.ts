import { availableParallelism } from 'node:os';
import { spawnModuleWorker } from '../worker-thread.js';
import type { RecognitionGrammar, RecognizerStream, SpeechEngine } from './engine.js';
import type { RecognizerSettings } from './recognizer-settings.js';
import { WorkerPool } from './worker-pool.js';
import type { CrashPolicy, SpeechLogger } from './worker-pool.js';
import type { WorkerInit, WorkerRequest } from './worker-protocol.js';

/** The SoundSwallower engine: its recognisers (speech-worker.ts) in a pool of worker threads. */

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
  readonly crashPolicy?: CrashPolicy;
}

type Request = WorkerRequest extends infer R ? (R extends { seq: number } ? Omit<R, 'seq'> : never) : never;

/** The worker entry (see spawnModuleWorker for running from sources). */
const WORKER_ENTRY = new URL(import.meta.url.endsWith('.ts') ? './speech-worker.ts' : './speech-worker.js', import.meta.url);

export class PooledSpeechEngine implements SpeechEngine {
  readonly name: string;
  readonly sampleRate: number;
  readonly description: string;
  readonly advice?: string;
  readonly #pool: WorkerPool<Request>;

  private constructor(options: SpeechPoolOptions, pool: WorkerPool<Request>) {
    this.name = options.name;
    this.sampleRate = options.settings.sampleRate;
    this.description = options.description ?? options.name;
    if (options.advice) this.advice = options.advice;
    this.#pool = pool;
  }

  /** Starts the workers and waits until each has loaded the model. */
  static async start(options: SpeechPoolOptions): Promise<PooledSpeechEngine> {
    const init: WorkerInit = { settings: options.settings };
    const pool = await WorkerPool.start<Request>({
      size: options.workers && options.workers > 0 ? options.workers : availableParallelism(),
      spawn: () => spawnModuleWorker(WORKER_ENTRY, init),
      label: 'speech',
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.crashPolicy ? { crashPolicy: options.crashPolicy } : {}),
    });
    return new PooledSpeechEngine(options, pool);
  }

  /** Number of worker threads. */
  get size(): number {
    return this.#pool.size;
  }

  openStream(grammar: RecognitionGrammar): Promise<RecognizerStream> {
    const plain = plainGrammar(grammar);
    return this.#pool.openStream((stream) => ({ type: 'open', stream, grammar: plain }));
  }

  /** Compiles the grammar on every worker and attaches it to their warm decoders. */
  prepare(grammar: RecognitionGrammar): Promise<void> {
    return this.#pool.broadcast({ type: 'prepare', grammar: plainGrammar(grammar) });
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}

/** Only the data fields: a grammar object may carry methods or getters that do not clone. */
function plainGrammar(g: RecognitionGrammar): RecognitionGrammar {
  return { jsgf: g.jsgf, phrases: [...g.phrases], words: [...g.words], version: g.version, ...(g.graph ? { graph: g.graph } : {}) };
}
