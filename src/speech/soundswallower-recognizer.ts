import createModule from 'soundswallower';
import type { Decoder, SoundSwallowerModule } from 'soundswallower';
import type { Transcript, TranscriptWord } from '../contracts.js';
import type { PartialResult, RecognitionGrammar } from './engine.js';
import { SpeechError } from './errors.js';
import { pcm16ToFloat32 } from './pcm.js';
import { resolveMissingPronunciations } from './pronunciation.js';
import type { PronunciationTable } from './pronunciation.js';

/**
 * The SoundSwallower decoder for one thread: one WASM module, decoders reused across streams
 * (loading a model takes ~0.3 s), one decoder per open stream. Synchronous once created: it is
 * meant to run inside a pool worker, never on the main event loop.
 */

/** Decoder settings worth tuning (SoundSwallower config keys). */
export interface DecoderTuning {
  readonly beam?: number;
  readonly wbeam?: number;
  readonly pbeam?: number;
  readonly maxhmmpf?: number;
  readonly lw?: number;
  readonly wip?: number;
  readonly pip?: number;
  readonly silprob?: number;
  readonly fillprob?: number;
  readonly topn?: number;
  readonly remove_noise?: boolean;
  readonly cmn?: 'live' | 'current' | 'none';
  /** Tiny added noise: without it, digital silence (exact zeros) derails the search. */
  readonly dither?: boolean;
}

export interface RecognizerSettings {
  /** Absolute folder of the acoustic model in SoundSwallower's layout. */
  readonly modelPath: string;
  /** Reported in every transcript, e.g. `soundswallower/en-us-16k`. */
  readonly engineName: string;
  readonly sampleRate: number;
  readonly tuning?: DecoderTuning;
  /** Per-deployment pronunciations, as entries (structured-clone friendly). */
  readonly pronunciations?: readonly (readonly [string, readonly string[]])[];
  /** Below this confidence a final result is rejected: empty text, the hypothesis as alternative. */
  readonly rejectBelow?: number;
}

/** Defaults measured with bench/speech.ts (see its output for the figures). */
export const DEFAULT_TUNING: DecoderTuning = { dither: true };

/** Default rejection threshold on the utterance confidence (bench/speech.ts, accuracy vs SNR). */
export const DEFAULT_REJECT_BELOW = 0;

const MAX_IDLE_DECODERS = 4;
/** Confidence given to a result taken from the best partial path (no complete parse). */
const PARTIAL_CONFIDENCE = 0.3;
const FILLER = /^(<s>|<\/s>|<sil>|\(NULL\)|\[[A-Z_]+\]|\+\+.*\+\+)$/;

let modulePromise: Promise<SoundSwallowerModule> | null = null;

function loadModule(): Promise<SoundSwallowerModule> {
  modulePromise ??= createModule();
  return modulePromise;
}

interface PooledDecoder {
  readonly decoder: Decoder;
  grammarVersion: string | null;
}

export class SoundSwallowerRecognizer {
  readonly settings: RecognizerSettings;
  readonly #module: SoundSwallowerModule;
  readonly #pronunciations: PronunciationTable;
  readonly #idle: PooledDecoder[] = [];

  private constructor(module: SoundSwallowerModule, settings: RecognizerSettings) {
    this.#module = module;
    this.settings = settings;
    this.#pronunciations = new Map(settings.pronunciations ?? []);
  }

  static async create(settings: RecognizerSettings): Promise<SoundSwallowerRecognizer> {
    const recognizer = new SoundSwallowerRecognizer(await loadModule(), settings);
    // Load the model once up front, so the first stream opens fast and a broken model fails here.
    recognizer.#idle.push(await recognizer.#createDecoder());
    return recognizer;
  }

  async openSession(grammar: RecognitionGrammar): Promise<DecoderSession> {
    const index = this.#idle.findIndex((d) => d.grammarVersion === grammar.version);
    const pooled = index >= 0 ? this.#idle.splice(index, 1)[0] : (this.#idle.pop() ?? (await this.#createDecoder()));
    try {
      if (pooled.grammarVersion !== grammar.version) this.#applyGrammar(pooled, grammar);
    } catch (error) {
      pooled.decoder.delete();
      throw error;
    }
    return new DecoderSession(pooled, this.settings, (d) => this.#release(d));
  }

  /** Frees every idle decoder. */
  dispose(): void {
    for (const d of this.#idle.splice(0)) d.decoder.delete();
  }

  #release(pooled: PooledDecoder): void {
    if (this.#idle.length < MAX_IDLE_DECODERS) this.#idle.push(pooled);
    else pooled.decoder.delete();
  }

  async #createDecoder(): Promise<PooledDecoder> {
    const decoder = new this.#module.Decoder({ hmm: this.settings.modelPath, samprate: this.settings.sampleRate, loglevel: 'ERROR' });
    try {
      await decoder.initialize();
    } catch (error) {
      decoder.delete();
      throw new SpeechError('HM_ERR_SPEECH_MODEL_NOT_FOUND', `Cannot load the acoustic model in ${this.settings.modelPath}`, { cause: error });
    }
    const tuning = { ...DEFAULT_TUNING, ...this.settings.tuning };
    let audioChanged = false;
    for (const [key, value] of Object.entries(tuning)) {
      if (value === undefined) continue;
      decoder.set_config(key, typeof value === 'boolean' ? Number(value) : value);
      if (key === 'cmn' || key === 'remove_noise' || key === 'dither') audioChanged = true;
    }
    // Front-end settings are read when the audio chain is built: rebuild it after changing them.
    if (audioChanged) await decoder.reinitialize_audio();
    return { decoder, grammarVersion: null };
  }

  #applyGrammar(pooled: PooledDecoder, grammar: RecognitionGrammar): void {
    const { decoder } = pooled;
    const missing = resolveMissingPronunciations(grammar.words, (w) => decoder.lookup_word(w) !== null, this.#pronunciations);
    // The first pronunciation of a word is its base entry; further ones are `word(2)` … variants.
    const seen = new Map<string, number>();
    const entries: [string, string][] = [];
    for (const { word, phones } of missing) {
      const n = (seen.get(word) ?? 0) + 1;
      seen.set(word, n);
      entries.push([n === 1 ? word : `${word}(${n})`, phones]);
    }
    if (entries.length) decoder.add_words(...entries);
    try {
      decoder.set_grammar(grammar.jsgf);
    } catch (error) {
      throw new SpeechError('HM_ERR_SPEECH_GRAMMAR_INVALID', `The recognition grammar does not compile: ${(error as Error).message}`, {
        cause: error,
      });
    }
    pooled.grammarVersion = grammar.version;
  }
}

interface AlignmentSegment {
  readonly t: string;
  readonly b: number;
  readonly d: number;
  readonly p: number;
}

/** One stream's decoder: utterance after utterance. */
export class DecoderSession {
  readonly #pooled: PooledDecoder;
  readonly #settings: RecognizerSettings;
  readonly #release: (d: PooledDecoder) => void;
  #started = false;
  #closed = false;
  #partial = '';

  constructor(pooled: PooledDecoder, settings: RecognizerSettings, release: (d: PooledDecoder) => void) {
    this.#pooled = pooled;
    this.#settings = settings;
    this.#release = release;
  }

  accept(pcm: Int16Array): PartialResult {
    this.#assertOpen();
    const { decoder } = this.#pooled;
    if (!this.#started) {
      decoder.start();
      this.#started = true;
    }
    if (pcm.length) decoder.process_audio(pcm16ToFloat32(pcm), false, false);
    this.#partial = decoder.get_text();
    return { partial: this.#partial };
  }

  finish(): Transcript {
    this.#assertOpen();
    const { decoder } = this.#pooled;
    const engine = this.#settings.engineName;
    if (!this.#started) return { text: '', source: 'voice', confidence: 0, engine, words: [] };
    decoder.stop();
    this.#started = false;
    let text = decoder.get_text().trim();
    // When no path reaches the grammar's end (noise, a cut-off command), the search returns
    // nothing; the best partial path is still worth offering, at a confidence that says so.
    const partialOnly = !text && this.#partial.trim() !== '';
    if (partialOnly) text = this.#partial.trim();
    this.#partial = '';
    const words: TranscriptWord[] = [];
    if (text) {
      const result = decoder.get_alignment() as { w?: readonly AlignmentSegment[] };
      for (const seg of result.w ?? []) {
        if (FILLER.test(seg.t)) continue;
        words.push({ word: seg.t.replace(/\(\d+\)$/, ''), start: seg.b, end: seg.b + seg.d, conf: seg.p });
      }
    }
    const confidence = partialOnly ? PARTIAL_CONFIDENCE : utteranceConfidence(words);
    const threshold = this.#settings.rejectBelow;
    if (text && threshold !== undefined && confidence < threshold) {
      return { text: '', source: 'voice', confidence, engine, words: [], alternatives: [{ text, confidence }] };
    }
    return { text, source: 'voice', confidence, engine, words, alternatives: text ? [{ text, confidence }] : [] };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#started) {
      try {
        this.#pooled.decoder.stop();
      } catch {
        // The decoder goes back to the pool either way; a failed stop leaves nothing to undo.
      }
    }
    this.#release(this.#pooled);
  }

  #assertOpen(): void {
    if (this.#closed) throw new SpeechError('HM_ERR_SPEECH_STREAM_CLOSED', 'The recognition stream is closed');
  }
}

/**
 * Utterance confidence from the word posteriors: the weakest word decides (one wrong chip
 * name makes the whole command wrong), softened by the mean so one borderline word does not
 * sink an otherwise clear command.
 */
export function utteranceConfidence(words: readonly TranscriptWord[]): number {
  if (!words.length) return 0;
  let min = 1;
  let sum = 0;
  for (const w of words) {
    min = Math.min(min, w.conf);
    sum += w.conf;
  }
  return 0.5 * min + 0.5 * (sum / words.length);
}
