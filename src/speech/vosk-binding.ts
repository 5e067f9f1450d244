import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as Koffi from 'koffi';
import type { LibraryHandle, TypeObject } from 'koffi';
import { SpeechError } from './errors.js';

/**
 * The Vosk C API (libvosk, shipped inside the `vosk` npm package) through koffi. Nothing is
 * loaded until the first call: the soundswallower engine never pays for it. Calls are
 * synchronous and CPU-bound: use them from a worker thread (see vosk-engine.ts).
 */

const require = createRequire(import.meta.url);

/** How to get a model, for every "no model" message. */
export const VOSK_MODEL_HOWTO =
  'run `holomesh models download vosk-small-en-us` (or download vosk-model-small-en-us-0.15 from the Vosk models page and unzip it), ' +
  'then set VOSK_MODEL_PATH to the model folder';

/** An opaque C pointer as koffi hands it out (never inspected here). */
type Handle = object;

interface VoskFunctions {
  readonly path: string;
  setLogLevel(level: number): void;
  modelNew(path: string): Handle | null;
  modelFree(model: Handle): void;
  recognizerNew(model: Handle, sampleRate: number): Handle | null;
  recognizerNewGrm(model: Handle, sampleRate: number, grammar: string): Handle | null;
  setWords(recognizer: Handle, words: number): void;
  setMaxAlternatives(recognizer: Handle, max: number): void;
  acceptWaveformS(recognizer: Handle, data: Int16Array, length: number): number;
  result(recognizer: Handle): string;
  partialResult(recognizer: Handle): string;
  finalResult(recognizer: Handle): string;
  reset(recognizer: Handle): void;
  recognizerFree(recognizer: Handle): void;
}

let loaded: VoskFunctions | null = null;

/** Where libvosk is: `VOSK_LIBRARY_PATH`, else the build shipped in the `vosk` npm package. */
export function resolveVoskLibrary(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.VOSK_LIBRARY_PATH;
  if (override) {
    if (!existsSync(override)) throw new SpeechError('HM_ERR_SPEECH_ENGINE_UNAVAILABLE', `VOSK_LIBRARY_PATH points to a missing file: ${override}`);
    return override;
  }
  const file = platformLibrary();
  let root: string;
  try {
    root = dirname(require.resolve('vosk/package.json'));
  } catch (cause) {
    throw new SpeechError('HM_ERR_SPEECH_ENGINE_UNAVAILABLE', 'The vosk engine needs the `vosk` npm package (for libvosk): run `npm install`', { cause });
  }
  const path = join(root, 'lib', file);
  if (!existsSync(path)) throw new SpeechError('HM_ERR_SPEECH_ENGINE_UNAVAILABLE', `libvosk is missing from the vosk package (${file}); set VOSK_LIBRARY_PATH to a libvosk build`);
  return path;
}

function platformLibrary(): string {
  const key = `${process.platform}-${process.arch}`;
  switch (key) {
    case 'linux-x64': return 'linux-x86_64/libvosk.so';
    case 'darwin-x64':
    case 'darwin-arm64': return 'osx-universal/libvosk.dylib';
    case 'win32-x64': return 'win-x86_64/libvosk.dll';
    default:
      throw new SpeechError('HM_ERR_SPEECH_ENGINE_UNAVAILABLE', `No libvosk build for ${key}; set VOSK_LIBRARY_PATH to one, or use the soundswallower engine`);
  }
}

/** Loads libvosk (once per thread) and declares the functions used here. */
export function loadVosk(): VoskFunctions {
  if (loaded) return loaded;
  const path = resolveVoskLibrary();
  let koffi: typeof Koffi;
  let lib: LibraryHandle;
  try {
    koffi = require('koffi') as typeof Koffi;
    lib = koffi.load(path);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new SpeechError('HM_ERR_SPEECH_ENGINE_UNAVAILABLE', `Cannot load libvosk (${path}): ${reason}`, { cause });
  }
  // Unnamed opaque types: named ones are global to koffi and would clash on a second load.
  const model: TypeObject = koffi.pointer(koffi.opaque());
  const recognizer: TypeObject = koffi.pointer(koffi.opaque());
  const fn = {
    setLogLevel: lib.func('vosk_set_log_level', 'void', ['int']),
    modelNew: lib.func('vosk_model_new', model, ['str']),
    modelFree: lib.func('vosk_model_free', 'void', [model]),
    recognizerNew: lib.func('vosk_recognizer_new', recognizer, [model, 'float']),
    recognizerNewGrm: lib.func('vosk_recognizer_new_grm', recognizer, [model, 'float', 'str']),
    setWords: lib.func('vosk_recognizer_set_words', 'void', [recognizer, 'int']),
    setMaxAlternatives: lib.func('vosk_recognizer_set_max_alternatives', 'void', [recognizer, 'int']),
    acceptWaveformS: lib.func('vosk_recognizer_accept_waveform_s', 'int', [recognizer, koffi.pointer('int16_t'), 'int']),
    result: lib.func('vosk_recognizer_result', 'str', [recognizer]),
    partialResult: lib.func('vosk_recognizer_partial_result', 'str', [recognizer]),
    finalResult: lib.func('vosk_recognizer_final_result', 'str', [recognizer]),
    reset: lib.func('vosk_recognizer_reset', 'void', [recognizer]),
    recognizerFree: lib.func('vosk_recognizer_free', 'void', [recognizer]),
  };
  loaded = { path, ...(fn as unknown as Omit<VoskFunctions, 'path'>) };
  return loaded;
}

/** Kaldi's log level: -1 errors only (default here), 0 info. */
export function setVoskLogLevel(level: number): void {
  loadVosk().setLogLevel(level);
}

/** A loaded acoustic model + graph; share it between the recognisers of one thread. */
export class VoskModel {
  readonly path: string;
  #handle: Handle | null;

  private constructor(path: string, handle: Handle) {
    this.path = path;
    this.#handle = handle;
  }

  /** @throws SpeechError `HM_ERR_SPEECH_MODEL_NOT_FOUND` when the folder is missing or not a Vosk model. */
  static open(path: string): VoskModel {
    const vosk = loadVosk();
    if (!existsSync(path) || !statSync(path).isDirectory()) {
      throw new SpeechError('HM_ERR_SPEECH_MODEL_NOT_FOUND', `No Vosk model folder at ${path}: ${VOSK_MODEL_HOWTO}`);
    }
    const handle = vosk.modelNew(path);
    if (!handle) {
      throw new SpeechError('HM_ERR_SPEECH_MODEL_NOT_FOUND', `Vosk could not load a model from ${path} (not a Vosk model folder?): ${VOSK_MODEL_HOWTO}`);
    }
    return new VoskModel(path, handle);
  }

  /** @internal */
  get handle(): Handle {
    if (!this.#handle) throw new SpeechError('HM_ERR_SPEECH_ENGINE_UNAVAILABLE', 'The Vosk model is freed');
    return this.#handle;
  }

  free(): void {
    if (this.#handle) loadVosk().modelFree(this.#handle);
    this.#handle = null;
  }
}

export interface VoskRecognizerOptions {
  readonly sampleRate: number;
  /** Phrases the recogniser may output (a JSON grammar); `[unk]` is added. Omit for free dictation. */
  readonly phrases?: readonly string[];
  /** Word timings and confidences in results. Default true. */
  readonly words?: boolean;
  /** N-best alternatives (results change shape: no per-word confidence). Default 0. */
  readonly maxAlternatives?: number;
}

/** One Kaldi recogniser; synchronous, one thread at a time. */
export class VoskRecognizer {
  #handle: Handle | null;

  constructor(model: VoskModel, options: VoskRecognizerOptions) {
    const vosk = loadVosk();
    const phrases = options.phrases?.filter((p) => p.trim() !== '');
    const handle = phrases && phrases.length > 0
      ? vosk.recognizerNewGrm(model.handle, options.sampleRate, JSON.stringify([...new Set([...phrases, '[unk]'])]))
      : vosk.recognizerNew(model.handle, options.sampleRate);
    if (!handle) throw new SpeechError('HM_ERR_SPEECH_GRAMMAR_INVALID', 'Vosk could not create a recogniser for this grammar');
    this.#handle = handle;
    vosk.setWords(handle, options.words === false ? 0 : 1);
    if (options.maxAlternatives) vosk.setMaxAlternatives(handle, options.maxAlternatives);
  }

  #live(): Handle {
    if (!this.#handle) throw new SpeechError('HM_ERR_SPEECH_STREAM_CLOSED', 'The Vosk recogniser is freed');
    return this.#handle;
  }

  /** Feeds 16-bit mono samples; true when Vosk ended an utterance (then read {@link result}). */
  accept(pcm: Int16Array): boolean {
    const status = loadVosk().acceptWaveformS(this.#live(), pcm, pcm.length);
    if (status < 0) throw new SpeechError('HM_ERR_SPEECH_WORKER_FAILED', 'Vosk failed to decode the audio');
    return status === 1;
  }

  /** JSON of the utterance Vosk just ended. */
  result(): string {
    return loadVosk().result(this.#live());
  }

  /** JSON `{"partial": …}` of the utterance so far. */
  partial(): string {
    return loadVosk().partialResult(this.#live());
  }

  /** JSON of the rest of the audio; the recogniser starts a new utterance afterwards. */
  final(): string {
    return loadVosk().finalResult(this.#live());
  }

  reset(): void {
    loadVosk().reset(this.#live());
  }

  free(): void {
    if (this.#handle) loadVosk().recognizerFree(this.#handle);
    this.#handle = null;
  }
}
