import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, resolve } from 'node:path';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { Transcript, TranscriptWord } from '../contracts.js';
import { spawnModuleWorker } from '../worker-thread.js';
import type { PartialResult, RecognitionGrammar, RecognizerStream, SpeechEngine } from './engine.js';
import { SpeechError } from './errors.js';
import { WorkerPool } from './worker-pool.js';
import type { PoolReply, SerializedError, SpeechLogger } from './worker-pool.js';
import { VOSK_MODEL_HOWTO, VoskModel, VoskRecognizer, loadVosk, setVoskLogLevel } from './vosk-binding.js';

/**
 * The Vosk engine: Kaldi through libvosk, decoding in worker threads (one per core by default),
 * each loading the model once; a stream is pinned to one worker for its whole life. A stream's
 * recogniser is limited to the grammar's phrases plus "[unk]".
 */

export const VOSK_SAMPLE_RATE = 16_000;

/** The settings `createSpeechEngine` passes on (a subset of its config). */
export interface VoskEngineConfig {
  readonly engine: 'auto' | 'soundswallower' | 'vosk';
  readonly voskModelPath?: string;
  /** Worker threads; 0 = one per core. */
  readonly workers: number;
  readonly logger?: SpeechLogger;
  /** N-best alternatives per result (Vosk then gives no per-word confidence). Default 0. */
  readonly voskMaxAlternatives?: number;
}

/** `vosk` when chosen, or `auto` with a Vosk model configured; else soundswallower. */
export function selectSpeechEngine(config: Pick<VoskEngineConfig, 'engine' | 'voskModelPath'>): 'soundswallower' | 'vosk' {
  if (config.engine === 'vosk') return 'vosk';
  if (config.engine === 'auto' && config.voskModelPath) return 'vosk';
  return 'soundswallower';
}

/** The message for "vosk chosen but no model": says how to get one. */
export function voskModelMissingMessage(modelPath: string | undefined): string {
  const where = modelPath ? ` (VOSK_MODEL_PATH=${modelPath} does not exist)` : '';
  return `The vosk engine needs a model${where}: ${VOSK_MODEL_HOWTO}; or use the soundswallower engine`;
}

/** A running Vosk engine (shape of `StartedSpeechEngine`). */
export interface StartedVoskEngine extends SpeechEngine {
  readonly description: string;
  /** Worker threads. */
  readonly size: number;
}

/**
 * Starts the Vosk engine.
 * @throws SpeechError `HM_ERR_SPEECH_ENGINE_UNAVAILABLE` without a model path (how to get one),
 *   `HM_ERR_SPEECH_MODEL_NOT_FOUND` when the folder is not a Vosk model.
 */
export async function startVoskEngine(config: VoskEngineConfig): Promise<StartedVoskEngine> {
  if (!config.voskModelPath || !existsSync(config.voskModelPath)) {
    throw new SpeechError('HM_ERR_SPEECH_ENGINE_UNAVAILABLE', voskModelMissingMessage(config.voskModelPath));
  }
  // Fail here, not in N workers, when libvosk itself cannot load.
  loadVosk();
  const modelPath = resolve(config.voskModelPath);
  const engine = await VoskEngine.start({
    modelPath,
    workers: config.workers,
    maxAlternatives: config.voskMaxAlternatives ?? 0,
    logger: config.logger,
  });
  config.logger?.info({ speech: engine.description, workers: engine.size }, 'speech engine ready');
  return engine;
}

// ---------------------------------------------------------------------------------------------
// Results

interface VoskWord { word: string; start: number; end: number; conf?: number }
interface VoskResult {
  text?: string;
  result?: VoskWord[];
  alternatives?: { text?: string; confidence?: number; result?: VoskWord[] }[];
}

const UNK = '[unk]';

function cleanText(text: string | undefined): string {
  return (text ?? '').split(/\s+/).filter((w) => w !== '' && w !== UNK).join(' ');
}

/** One segment of an utterance, parsed from a Vosk result JSON. */
interface Segment {
  readonly text: string;
  readonly words: TranscriptWord[];
  /** For alternatives mode: the N-best texts with raw scores. */
  readonly alternatives?: { text: string; score: number }[];
}

/** Parses a Vosk result (`{text, result}` or `{alternatives}`), dropping "[unk]". */
export function parseVoskResult(json: string, offsetS = 0): Segment {
  const raw = JSON.parse(json) as VoskResult;
  if (raw.alternatives) {
    const alternatives = raw.alternatives.map((a) => ({ text: cleanText(a.text), score: a.confidence ?? 0 }));
    const best = raw.alternatives[0];
    const words = (best?.result ?? []).filter((w) => w.word !== UNK).map((w) => toWord(w, offsetS, 1));
    return { text: alternatives[0]?.text ?? '', words, alternatives };
  }
  const words = (raw.result ?? []).filter((w) => w.word !== UNK).map((w) => toWord(w, offsetS, w.conf ?? 1));
  return { text: cleanText(raw.text), words };
}

function toWord(w: VoskWord, offsetS: number, conf: number): TranscriptWord {
  return { word: w.word, start: w.start + offsetS, end: w.end + offsetS, conf };
}

/** Joins the segments of one utterance (Vosk may end utterances itself on a pause) into a transcript. */
export function toTranscript(segments: readonly Segment[], engine: string): Transcript {
  const text = segments.map((s) => s.text).filter(Boolean).join(' ');
  const words = segments.flatMap((s) => s.words);
  const withAlternatives = segments.length === 1 ? segments[0]?.alternatives : undefined;
  if (withAlternatives && withAlternatives.length > 0) {
    // Vosk's N-best scores are unnormalised log-likelihood-like numbers: softmax them to 0..1.
    const top = Math.max(...withAlternatives.map((a) => a.score));
    const exps = withAlternatives.map((a) => Math.exp(a.score - top));
    const sum = exps.reduce((a, b) => a + b, 0);
    const alternatives = withAlternatives.map((a, i) => ({ text: a.text, confidence: round((exps[i] ?? 0) / sum) }));
    const confidence = text ? (alternatives[0]?.confidence ?? 0) : 0;
    return { text, source: 'voice', confidence, engine, words: words.map((w) => ({ ...w, conf: confidence })), alternatives };
  }
  const confidence = words.length ? round(words.reduce((a, w) => a + w.conf, 0) / words.length) : 0;
  return { text, source: 'voice', confidence: text ? confidence : 0, engine, words, alternatives: [{ text, confidence: text ? confidence : 0 }] };
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

// ---------------------------------------------------------------------------------------------
// Worker side (this module is also the worker entry)

const WORKER_KIND = 'holomesh-vosk-worker';

interface VoskWorkerInit {
  readonly kind: typeof WORKER_KIND;
  readonly modelPath: string;
  readonly engineName: string;
  readonly sampleRate: number;
  readonly maxAlternatives: number;
}

type VoskRequest =
  | { seq: number; type: 'open'; stream: number; phrases: string[] }
  | { seq: number; type: 'accept'; stream: number; pcm: Int16Array }
  | { seq: number; type: 'finish'; stream: number }
  | { seq: number; type: 'close'; stream: number }
  | { seq: number; type: 'shutdown' };

interface RecognizerSlot {
  recognizer: VoskRecognizer;
  /** Segments Vosk already ended within the current utterance. */
  segments: Segment[];
  /** Seconds of audio fed in the current utterance (Vosk restarts its clock per segment). */
  fedS: number;
  segmentStartS: number;
}

function serializeError(error: unknown): SerializedError {
  const code = (error as { code?: unknown } | null)?.code;
  return { ...(typeof code === 'string' ? { code } : {}), message: error instanceof Error ? error.message : String(error) };
}

function runWorker(init: VoskWorkerInit): void {
  const port = parentPort;
  if (!port) return;
  let model: VoskModel;
  try {
    setVoskLogLevel(-1);
    model = VoskModel.open(init.modelPath);
  } catch (error) {
    port.postMessage({ type: 'failed', error: serializeError(error) } satisfies PoolReply);
    return;
  }
  const streams = new Map<number, RecognizerSlot>();
  let shutDown = false;
  const get = (id: number): RecognizerSlot => {
    const s = streams.get(id);
    if (!s) throw new SpeechError('HM_ERR_SPEECH_STREAM_CLOSED', 'The recognition stream is closed');
    return s;
  };
  const handle = (req: VoskRequest): unknown => {
    if (shutDown) {
      if (req.type === 'shutdown') return null;
      throw new SpeechError('HM_ERR_SPEECH_ENGINE_UNAVAILABLE', 'The speech engine is closed');
    }
    switch (req.type) {
      case 'open': {
        const recognizer = new VoskRecognizer(model, { sampleRate: init.sampleRate, phrases: req.phrases, words: true, maxAlternatives: init.maxAlternatives });
        streams.set(req.stream, { recognizer, segments: [], fedS: 0, segmentStartS: 0 });
        return null;
      }
      case 'accept': {
        const s = get(req.stream);
        const pcm = req.pcm instanceof Int16Array ? req.pcm : new Int16Array(req.pcm);
        s.fedS += pcm.length / init.sampleRate;
        if (s.recognizer.accept(pcm)) {
          const segment = parseVoskResult(s.recognizer.result(), s.segmentStartS);
          if (segment.text) s.segments.push(segment);
          s.segmentStartS = s.fedS;
        }
        const partial = cleanText((JSON.parse(s.recognizer.partial()) as { partial?: string }).partial);
        return { partial: [...s.segments.map((g) => g.text), partial].filter(Boolean).join(' ') } satisfies PartialResult;
      }
      case 'finish': {
        const s = get(req.stream);
        const last = parseVoskResult(s.recognizer.final(), s.segmentStartS);
        const segments = last.text ? [...s.segments, last] : s.segments;
        const transcript = toTranscript(segments.length ? segments : [last], init.engineName);
        s.recognizer.reset();
        s.segments = [];
        s.fedS = 0;
        s.segmentStartS = 0;
        return transcript;
      }
      case 'close': {
        streams.get(req.stream)?.recognizer.free();
        streams.delete(req.stream);
        return null;
      }
      case 'shutdown': {
        // The recognisers first: each was made from the model.
        for (const s of streams.values()) s.recognizer.free();
        streams.clear();
        model.free();
        shutDown = true;
        return null;
      }
    }
  };
  port.on('message', (req: VoskRequest) => {
    try {
      port.postMessage({ type: 'reply', seq: req.seq, ok: true, value: handle(req) } satisfies PoolReply);
    } catch (error) {
      port.postMessage({ type: 'reply', seq: req.seq, ok: false, error: serializeError(error) } satisfies PoolReply);
    }
  });
  port.postMessage({ type: 'ready' } satisfies PoolReply);
}

if (!isMainThread && (workerData as { kind?: unknown } | null)?.kind === WORKER_KIND) runWorker(workerData as VoskWorkerInit);

// ---------------------------------------------------------------------------------------------
// Main-thread pool

type Request = VoskRequest extends infer R ? (R extends { seq: number } ? Omit<R, 'seq'> : never) : never;

interface VoskPoolOptions {
  readonly modelPath: string;
  readonly workers: number;
  readonly maxAlternatives: number;
  readonly logger?: SpeechLogger;
}

class VoskEngine implements StartedVoskEngine {
  readonly name: string;
  readonly sampleRate = VOSK_SAMPLE_RATE;
  readonly description: string;
  readonly #pool: WorkerPool<Request>;
  #closing: Promise<void> | null = null;

  private constructor(name: string, modelPath: string, pool: WorkerPool<Request>) {
    this.name = name;
    this.description = `${name} (Vosk model folder ${modelPath})`;
    this.#pool = pool;
  }

  static async start(options: VoskPoolOptions): Promise<VoskEngine> {
    const name = `vosk/${basename(options.modelPath)}`;
    const init: VoskWorkerInit = { kind: WORKER_KIND, modelPath: options.modelPath, engineName: name, sampleRate: VOSK_SAMPLE_RATE, maxAlternatives: options.maxAlternatives };
    const pool = await WorkerPool.start<Request>({
      size: options.workers > 0 ? options.workers : availableParallelism(),
      spawn: () => spawnModuleWorker(new URL(import.meta.url), init),
      label: 'vosk',
      ...(options.logger ? { logger: options.logger } : {}),
    });
    return new VoskEngine(name, options.modelPath, pool);
  }

  get size(): number {
    return this.#pool.size;
  }

  openStream(grammar: RecognitionGrammar): Promise<RecognizerStream> {
    if (this.#closing) return Promise.reject(new SpeechError('HM_ERR_SPEECH_ENGINE_UNAVAILABLE', 'The speech engine is closed'));
    const phrases = [...grammar.phrases];
    return this.#pool.openStream((stream) => ({ type: 'open', stream, phrases }));
  }

  /** Frees every worker's recognisers and model, then stops the workers; later calls wait for the first. */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    // libvosk's memory belongs to the process, not the worker thread: terminating does not free it.
    // A worker that died meanwhile has nothing left to free, so its error does not stop the close.
    await this.#pool.broadcast({ type: 'shutdown' }).catch(() => undefined);
    await this.#pool.close();
  }
}
