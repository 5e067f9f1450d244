import createModule from 'soundswallower';
import type { Decoder, SoundSwallowerModule } from 'soundswallower';
import type { Transcript, TranscriptWord } from '../contracts.js';
import { InputConditioner, LevelSpread } from './conditioning.js';
import { AudioWindow } from './audio-window.js';
import { Denoiser } from './denoise.js';
import type { DenoiseStream } from './denoise.js';
import type { FinishOptions, PartialResult, RecognitionGrammar } from './engine.js';
import { SpeechError } from './errors.js';
import { garbageWords, isGarbageWord, withGarbageLoop } from './grammar-tools.js';
import type { GarbageOptions } from './grammar-tools.js';
import { resolveMissingPronunciations } from './pronunciation.js';
import type { PronunciationTable } from './pronunciation.js';
import { cString, Verifier, verificationScore } from './verifier.js';
import type { Verification, VerifierModule } from './verifier.js';
import { compileWordGraph } from './word-graph.js';
import type { WordGraph } from './word-graph.js';

/**
 * The SoundSwallower decoder for one thread: one WASM module, one lexicon decoder with the model's
 * full pronunciation dictionary (~25 MiB, ~0.3–1 s to create: the dictionary is most of both),
 * a pool of lean stream decoders whose dictionary holds only the grammar's words (~8 MiB, tens of
 * ms), and per grammar version one compiled search graph (FSG) shared by all of them (compiling
 * takes seconds for the full command grammar; attaching a compiled one to another decoder well
 * under one). A spare stream decoder is kept ready in the background, so opening a stream never
 * waits for one to be built. Synchronous once set up: it runs inside a pool worker, never on the
 * main event loop.
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
  /** ±1 LSB noise; the conditioner's noise floor already does what this was meant for. */
  readonly dither?: boolean;
  /** Filler words (silence, noise) at every FSG state; off is faster and the grammar's paths suffice. */
  readonly fsgusefiller?: boolean;
  /** Alternative pronunciations (`word(2)`) in the FSG search (pronunciations.dict relies on them). */
  readonly fsgusealtpron?: boolean;
}

/** When a clear streaming result stands without the final pass (see `RecognizerSettings.finalPassSkip`). */
export interface FinalPassSkip {
  /** Streaming confidence from which a command is clear. */
  readonly confidence: number;
  /** Loud over quiet frames (LevelSpread) from which the room is quiet, dB. */
  readonly quietSpreadDb: number;
}

/** Level normalisation and noise floor in front of the decoder (see conditioning.ts). */
export interface ConditioningSettings {
  readonly targetPeakDb?: number;
  readonly floorBelowPeakDb?: number;
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
  /** `false` feeds the audio as it comes. */
  readonly conditioning?: ConditioningSettings | false;
  /** Out-of-grammar speech and noise go to a phone loop instead of the nearest command. `false` disables. */
  readonly garbage?: GarbageOptions | false;
  /** Stream decoders created up front (streams served at once without creating one). Default 4. */
  readonly warmDecoders?: number;
  /**
   * Decode each utterance a second time, whole, when it ends (default true), and keep the more
   * confident of the two results. The streaming pass can only normalise the cepstra with the
   * model's prior mean plus what earlier utterances taught it; the whole-utterance pass subtracts
   * this utterance's own mean, which removes a steady noise's colouring (fan, hum, pink noise).
   * Costs a second search at the end.
   */
  readonly finalPass?: boolean;
  /**
   * When the final pass may be skipped: the streaming result is a command at least this confident,
   * heard in a quiet room (loud frames at least `quietSpreadDb` over the quiet ones, see
   * LevelSpread). There the streaming result is as good or better, and the answer comes without a
   * second search; in noise the streaming pass is often confidently wrong, so the final pass runs.
   * Default DEFAULT_FINAL_PASS_SKIP; `confidence: 2` never skips.
   */
  readonly finalPassSkip?: FinalPassSkip;
  /**
   * Noise suppression (RNNoise, see denoise.ts) over a noisy utterance (level spread under
   * `finalPassSkip.quietSpreadDb`) for its final pass and, from when it sounded noisy, for the
   * streaming pass (default true). Quiet rooms get the audio as it came: the network's artefacts
   * cost clean speech a little.
   */
  readonly denoise?: boolean;
  /** Idle stream decoders kept ready: when a stream takes one and fewer are left, another is built in the background. Default 1. */
  readonly spareDecoders?: number;
  /**
   * Out-of-grammar rejection (see verifier.ts): a command whose words fit the utterance's audio
   * worse than this (log-likelihood ratio per frame of speech against unconstrained recognition,
   * nats, moved by the decoder's confidence in the command: verificationScore) is rejected.
   * Applied as is in a quiet room (level spread at least `finalPassSkip.quietSpreadDb`), not at
   * all in a less quiet one (verifyFloor).
   * Off when not given (the speech engine sets DEFAULT_VERIFY_BELOW for the model it was measured
   * with). Needs the final pass's audio (`finalPass` not false).
   */
  readonly verifyBelow?: number | false;
}

/** Defaults measured with bench/speech.ts (see its output for the figures). */
export const DEFAULT_TUNING: DecoderTuning = {};

export const DEFAULT_CONDITIONING: ConditioningSettings = { targetPeakDb: -26, floorBelowPeakDb: 35 };

export const DEFAULT_GARBAGE: GarbageOptions = { phoneWeight: 1e-4, entryWeight: 1e-6 };

/** Measured with bench/speech.ts --final-pass-skip CONFIDENCE,DB (holdout and flite voices). */
export const DEFAULT_FINAL_PASS_SKIP: FinalPassSkip = { confidence: 0.8, quietSpreadDb: 25 };

/** A frame this far over the quiet ones (LevelSpread.peakDb) says speech has begun. */
const SPEECH_BEGUN_DB = 12;

/** Audio kept for the final pass: the last this many seconds of an utterance. */
const MAX_FINAL_PASS_SECONDS = 20;

/**
 * Measured with bench/rejection.ts with the 16 kHz model: real people's in-grammar commands mostly
 * fit at -1.5 to -2.9, their out-of-grammar speech forced onto the marketplace grammar mostly at
 * -3.2 to -10 (the two overlap a little; espeak's voices fit at -2 to -4.3).
 */
export const DEFAULT_VERIFY_BELOW = -3;

/** Default rejection threshold on the utterance confidence (bench/speech.ts, accuracy vs SNR). */
export const DEFAULT_REJECT_BELOW = 0;
// DEFAULT_GARBAGE is a starting point for `garbage: DEFAULT_GARBAGE`; not enabled by default.

const MAX_IDLE_DECODERS = 8;
export const DEFAULT_WARM_DECODERS = 4;
const DEFAULT_SPARE_DECODERS = 1;
/** Compiled grammars kept per worker (the current one and the one before, while streams drain). */
const MAX_COMPILED = 2;
const FILLER = /^(<s>|<\/s>|<sil>|\(NULL\)|\[[A-Z_]+\]|\+\+.*\+\+)$/;

/** The C entry points behind `Decoder.set_grammar`, used to compile one FSG for many decoders. */
interface LowLevelModule extends VerifierModule {
  _jsgf_parse_string(text: number, parent: number): number;
  _jsgf_get_public_rule(jsgf: number): number;
  _jsgf_build_fsg(jsgf: number, rule: number, logmath: number, lw: number): number;
  _jsgf_grammar_free(jsgf: number): void;
  _fsg_model_null_trans_add(fsg: number, from: number, to: number, logp: number): number;
}

let modulePromise: Promise<SoundSwallowerModule> | null = null;

function loadModule(): Promise<SoundSwallowerModule> {
  modulePromise ??= createModule();
  return modulePromise;
}

interface PooledDecoder {
  readonly decoder: Decoder;
  /** Its dictionary holds only the words given to it (the lexicon decoder has the model's full one). */
  readonly lean: boolean;
  grammarVersion: string | null;
  /** Words added to this decoder's dictionary (they stay: adding twice is wasted work). */
  readonly added: Set<string>;
}

interface CompiledGrammar {
  readonly version: string;
  readonly fsg: number;
  readonly words: readonly [string, string][];
  /** Every dictionary entry the grammar's words have (variants included): what a lean decoder needs. */
  readonly lexicon: readonly [string, string][];
}

export class SoundSwallowerRecognizer {
  readonly settings: RecognizerSettings;
  readonly #module: SoundSwallowerModule;
  readonly #low: LowLevelModule;
  readonly #pronunciations: PronunciationTable;
  readonly #idle: PooledDecoder[] = [];
  readonly #compiled = new Map<string, CompiledGrammar>();
  /** Full dictionary: pronunciation look-ups and the words of new grammars; never given to a stream. */
  #lexicon!: PooledDecoder;
  /** The grammar last compiled or opened: spare decoders are made ready for it. */
  #current: CompiledGrammar | null = null;
  #replenishing = false;
  #disposed = false;
  #denoiser: Denoiser | null = null;
  /** Decodes on the lexicon decoder (which never streams): null when verification is off. */
  #verifier: Verifier | null = null;

  private constructor(module: SoundSwallowerModule, settings: RecognizerSettings) {
    this.#module = module;
    this.#low = module as unknown as LowLevelModule;
    this.settings = settings;
    this.#pronunciations = new Map(settings.pronunciations ?? []);
  }

  static async create(settings: RecognizerSettings): Promise<SoundSwallowerRecognizer> {
    const recognizer = new SoundSwallowerRecognizer(await loadModule(), settings);
    // Load the model up front, so streams open fast and a broken model fails here.
    recognizer.#lexicon = await recognizer.#createDecoder(false);
    if (settings.verifyBelow !== undefined && settings.verifyBelow !== false && settings.finalPass !== false) {
      const { decoder } = recognizer.#lexicon;
      recognizer.#verifier = new Verifier(recognizer.#low, decoder, hostPointer(decoder));
    }
    if (settings.denoise !== false && settings.finalPass !== false) recognizer.#denoiser = await Denoiser.create();
    const count = Math.max(1, settings.warmDecoders ?? DEFAULT_WARM_DECODERS);
    for (let i = 0; i < count; i++) recognizer.#idle.push(await recognizer.#createDecoder(true));
    return recognizer;
  }

  /** Compiles `grammar` and attaches it to every idle decoder, so streams using it open at once. */
  async prepare(grammar: RecognitionGrammar): Promise<void> {
    const compiled = await this.#compile(grammar);
    this.#current = compiled;
    for (const pooled of this.#idle) if (pooled.grammarVersion !== compiled.version) this.#attach(pooled, compiled);
  }

  async openSession(grammar: RecognitionGrammar): Promise<DecoderSession> {
    const compiled = await this.#compile(grammar);
    this.#current = compiled;
    const index = this.#idle.findIndex((d) => d.grammarVersion === grammar.version);
    const pooled = index >= 0 ? this.#idle.splice(index, 1)[0] : (this.#idle.pop() ?? (await this.#createDecoder(true)));
    try {
      if (pooled.grammarVersion !== grammar.version) this.#attach(pooled, compiled);
      // Each stream starts from the model's CMN prior, not from the last stream's room and voice.
      await pooled.decoder.reinitialize_audio();
    } catch (error) {
      pooled.decoder.delete();
      throw error;
    }
    this.#replenish();
    const verifier = this.#verifier;
    const verify = verifier ? (audio: Float32Array, text: string) => verifier.verify(audio, text) : null;
    return new DecoderSession(pooled, this.settings, (d) => this.#release(d), this.#denoiser, verify);
  }

  /** Idle stream decoders (tests, diagnostics). */
  get idleDecoders(): number {
    return this.#idle.length;
  }

  /** Resolves once no spare decoder is being built (tests, diagnostics). */
  async settled(): Promise<void> {
    while (this.#replenishing) await new Promise((r) => setTimeout(r, 5));
  }

  /** Frees every idle decoder and compiled grammar. */
  dispose(): void {
    this.#disposed = true;
    for (const d of this.#idle.splice(0)) d.decoder.delete();
    this.#verifier?.dispose();
    this.#lexicon.decoder.delete();
    for (const c of this.#compiled.values()) this.#low._fsg_model_free(c.fsg);
    this.#compiled.clear();
  }

  #release(pooled: PooledDecoder): void {
    if (!this.#disposed && this.#idle.length < MAX_IDLE_DECODERS) this.#idle.push(pooled);
    else pooled.decoder.delete();
  }

  /**
   * Tops the idle pool up to the spare count after a stream took a decoder: built a macrotask
   * later, between the chunks of the streams already running (a lean decoder costs them one pause
   * of tens of ms, instead of the next stream waiting for it while everything behind it queues).
   */
  #replenish(): void {
    const spare = Math.max(0, this.settings.spareDecoders ?? DEFAULT_SPARE_DECODERS);
    if (this.#replenishing || this.#disposed || this.#idle.length >= spare) return;
    this.#replenishing = true;
    setTimeout(() => {
      void (async () => {
        try {
          while (!this.#disposed && this.#idle.length < spare) {
            const pooled = await this.#createDecoder(true);
            const current = this.#current;
            if (current && this.#compiled.get(current.version) === current) this.#attach(pooled, current);
            if (this.#disposed) pooled.decoder.delete();
            else this.#idle.push(pooled);
          }
        } catch {
          // A stream that then finds no spare builds its own decoder and reports the error.
        } finally {
          this.#replenishing = false;
        }
      })();
    }, 0);
  }

  /** `lean`: no pronunciation dictionary of its own; each grammar's words are added to it on attach. */
  async #createDecoder(lean: boolean): Promise<PooledDecoder> {
    const decoder = new this.#module.Decoder({ hmm: this.settings.modelPath, samprate: this.settings.sampleRate, loglevel: 'FATAL' });
    // With no `dict` the decoder starts with the filler words only (noisedict): ~17 MiB and most
    // of the load time less than with the model's full dictionary.
    if (lean) decoder.unset_config('dict');
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
    return { decoder, lean, grammarVersion: null, added: new Set() };
  }

  /** The grammar's search graph, compiled once per version on this thread. */
  async #compile(grammar: RecognitionGrammar): Promise<CompiledGrammar> {
    const found = this.#compiled.get(grammar.version);
    if (found) return found;
    // Words are looked up in (and added to) the lexicon decoder's full dictionary.
    const host = this.#lexicon;
    const inDictionary = (w: string): boolean => host.decoder.lookup_word(w) !== null;
    const missing = resolveMissingPronunciations(grammar.words, inDictionary, this.#pronunciations);
    // The first pronunciation of a word is its base entry; further ones are `word(2)` … variants.
    const seen = new Map<string, number>();
    const words: [string, string][] = [];
    for (const { word, phones } of missing) {
      const n = (seen.get(word) ?? 0) + 1;
      seen.set(word, n);
      words.push([n === 1 ? word : `${word}(${n})`, phones]);
    }
    // Opt-in: the phone loop widens the search several times over (see bench/speech.ts).
    const garbage = this.settings.garbage ?? false;
    if (garbage) words.push(...garbageWords());
    const source = garbage ? withGarbageLoop(grammar.jsgf, garbage) : grammar.jsgf;
    this.#addWords(host, words);
    const logmath = this.#low._decoder_logmath(hostPointer(host.decoder));
    const lw = Number(host.decoder.get_config('lw'));
    // The minimal word graph searches ~10× faster than the JSGF compiler's graph (see word-graph.ts);
    // the garbage loop's weights and repetition take the JSGF compiler.
    const graph = garbage ? null : (grammar.graph ?? compileWordGraph(source));
    const fsg = graph ? this.#graphToFsg(graph, logmath, lw) : this.#jsgfToFsg(source, logmath, lw);
    if (!fsg) throw new SpeechError('HM_ERR_SPEECH_GRAMMAR_INVALID', 'The recognition grammar does not compile (JSGF syntax error or no public rule)');
    const compiled: CompiledGrammar = { version: grammar.version, fsg, words, lexicon: this.#lexiconOf(host, grammar.words, source) };
    this.#compiled.set(grammar.version, compiled);
    while (this.#compiled.size > MAX_COMPILED) {
      const [oldest, old] = this.#compiled.entries().next().value as [string, CompiledGrammar];
      this.#compiled.delete(oldest);
      // Decoders using it hold their own reference; this drops only the cache's.
      this.#low._fsg_model_free(old.fsg);
    }
    return compiled;
  }

  /** PocketSphinx's own JSGF compiler (0 when the text does not compile). */
  #jsgfToFsg(source: string, logmath: number, lw: number): number {
    const low = this.#low;
    const text = cString(this.#low, source);
    const jsgf = low._jsgf_parse_string(text, 0);
    low._free(text);
    const rule = jsgf ? low._jsgf_get_public_rule(jsgf) : 0;
    const fsg = rule ? low._jsgf_build_fsg(jsgf, rule, logmath, lw) : 0;
    if (jsgf) low._jsgf_grammar_free(jsgf);
    return fsg;
  }

  /**
   * The word graph as the decoder's FSG, every arc free. (Sharing each state's probability among its
   * ways on, as the JSGF compiler does among alternatives, got fewer commands right: bench/speech.ts.)
   */
  #graphToFsg(graph: WordGraph, logmath: number, lw: number): number {
    const low = this.#low;
    const name = cString(this.#low, 'holomesh');
    const fsg = low._fsg_model_init(name, logmath, lw, graph.states);
    low._free(name);
    if (!fsg) return 0;
    const ids = graph.words.map((word) => {
      const text = cString(this.#low, word);
      const id = low._fsg_model_word_add(fsg, text);
      low._free(text);
      return id;
    });
    const { arcs, nulls } = graph;
    for (let i = 0; i < arcs.length; i += 3) low._fsg_model_trans_add(fsg, arcs[i], arcs[i + 1], 0, ids[arcs[i + 2]]);
    for (let i = 0; i < nulls.length; i += 2) low._fsg_model_null_trans_add(fsg, nulls[i], nulls[i + 1], 0);
    low._fsg_set_states(fsg, graph.start, graph.final);
    return fsg;
  }

  /**
   * The dictionary entries (with their `word(2)` … variants) of the grammar's words and of every
   * word-like token of its source (rules rewritten on the way, e.g. number ranges, stay covered).
   */
  #lexiconOf(host: PooledDecoder, words: readonly string[], source: string): [string, string][] {
    const tokens = new Set(words.map((w) => w.toLowerCase()));
    for (const token of source.replace(/<[^>]*>/g, ' ').match(/[a-z][a-z0-9'_-]*/g) ?? []) tokens.add(token);
    const out: [string, string][] = [];
    for (const word of tokens) {
      for (let n = 1; ; n++) {
        const entry = n === 1 ? word : `${word}(${n})`;
        const phones = host.decoder.lookup_word(entry);
        if (phones === null) break;
        out.push([entry, phones]);
      }
    }
    return out;
  }

  #addWords(pooled: PooledDecoder, words: readonly [string, string][]): void {
    const fresh = words.filter(([w]) => !pooled.added.has(w));
    if (!fresh.length) return;
    pooled.decoder.add_words(...fresh);
    for (const [w] of fresh) pooled.added.add(w);
  }

  #attach(pooled: PooledDecoder, compiled: CompiledGrammar): void {
    if (pooled.lean) this.#addWords(pooled, compiled.lexicon);
    this.#addWords(pooled, compiled.words);
    // The decoder takes over one reference (and drops it when given another grammar); the cache
    // keeps its own. `refcount` is the first field of fsg_model_t (no retain function is exported).
    this.#low.HEAP32[compiled.fsg >> 2] += 1;
    if (this.#low._decoder_set_fsg(hostPointer(pooled.decoder), compiled.fsg) < 0) {
      this.#low.HEAP32[compiled.fsg >> 2] -= 1;
      throw new SpeechError('HM_ERR_SPEECH_GRAMMAR_INVALID', 'The recognition grammar cannot be searched with this model');
    }
    pooled.grammarVersion = compiled.version;
  }
}

function hostPointer(decoder: Decoder): number {
  return (decoder as unknown as { cdecoder: number }).cdecoder;
}

/** One pass's result for an utterance. */
interface Heard {
  readonly text: string;
  readonly words: readonly TranscriptWord[];
  readonly confidence: number;
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
  readonly #conditioner: InputConditioner | null;
  #started = false;
  #closed = false;
  #partial = '';
  /** The current utterance's latest audio (conditioned, not denoised), for the final pass (null when it is off). */
  #utterance: AudioWindow | null = null;
  readonly #levels: LevelSpread;
  readonly #skip: FinalPassSkip;
  readonly #denoiser: Denoiser | null;
  /**
   * The same audio denoised, from position `from` of the utterance on: started as soon as the
   * utterance sounds noisy, so that its final pass need not wait for a whole utterance's denoising.
   */
  #denoised: { readonly stream: DenoiseStream; readonly window: AudioWindow; readonly from: number } | null = null;
  /** Samples of the current utterance the streaming decoder has heard (raw, then denoised). */
  #fed = 0;
  readonly #verify: ((audio: Float32Array, text: string) => Verification | null) | null;
  /** The last utterance's verification, level spread and verificationScore (diagnostics and benches): null when none ran. */
  lastVerification: (Verification & { readonly spreadDb: number; readonly score: number }) | null = null;

  constructor(
    pooled: PooledDecoder,
    settings: RecognizerSettings,
    release: (d: PooledDecoder) => void,
    denoiser: Denoiser | null = null,
    verify: ((audio: Float32Array, text: string) => Verification | null) | null = null,
  ) {
    this.#denoiser = denoiser;
    this.#verify = verify;
    this.#pooled = pooled;
    this.#settings = settings;
    this.#release = release;
    const conditioning = settings.conditioning === undefined ? DEFAULT_CONDITIONING : settings.conditioning;
    this.#conditioner = conditioning ? new InputConditioner({ sampleRate: settings.sampleRate, ...conditioning }) : null;
    this.#levels = new LevelSpread(settings.sampleRate);
    this.#skip = settings.finalPassSkip ?? DEFAULT_FINAL_PASS_SKIP;
  }

  accept(pcm: Int16Array): PartialResult {
    this.#assertOpen();
    const { decoder } = this.#pooled;
    if (!this.#started) {
      decoder.start();
      this.#started = true;
      this.#utterance = this.#settings.finalPass === false ? null : new AudioWindow(MAX_FINAL_PASS_SECONDS * this.#settings.sampleRate);
      this.#levels.reset();
      this.#stopDenoising();
      this.#fed = 0;
    }
    if (pcm.length) {
      const samples = this.#conditioner ? this.#conditioner.process(pcm) : Float32Array.from(pcm, (v) => v / 32768);
      let feed = samples;
      if (this.#utterance) {
        this.#levels.push(samples);
        this.#utterance.push(samples);
        // Once the utterance is being denoised, the streaming pass hears the cleaned audio too.
        feed = this.#denoise(samples) ?? samples;
      }
      this.#fed += feed.length;
      if (feed.length) decoder.process_audio(feed, false, false);
      this.#partial = withoutGarbage(decoder.get_text());
    }
    return { partial: this.#partial };
  }

  async finish(options: FinishOptions = {}): Promise<Transcript> {
    this.#assertOpen();
    const { decoder } = this.#pooled;
    const engine = this.#settings.engineName;
    if (!this.#started) return { text: '', source: 'voice', confidence: 0, engine, words: [] };
    decoder.stop();
    this.#started = false;
    const streamed = this.#read();
    const from = Math.round((options.speechFromSeconds ?? 0) * this.#settings.sampleRate);
    const utterance = this.#takeUtterance(from);
    let whole: Heard | null = null;
    const spreadDb = this.#levels.spreadDb();
    // What the final pass hears (denoised in noise) is also what verification judges.
    const audio = utterance && (spreadDb < this.#skip.quietSpreadDb ? this.#takeDenoised(utterance) : utterance.audio);
    this.lastVerification = null;
    if (utterance && audio && needsFinalPass(streamed, spreadDb, this.#skip)) {
      // The whole utterance at once: the front end normalises it with its own cepstral mean.
      // Streaming switches the feature stage to live normalisation for good; a rebuilt one
      // starts from the configured (whole-utterance) mode again.
      await decoder.reinitialize_audio();
      decoder.start();
      decoder.process_audio(audio, false, true);
      decoder.stop();
      // Word times count from the utterance's start, not from where the kept audio starts.
      whole = this.#read(utterance.offset / this.#settings.sampleRate);
    }
    this.#stopDenoising();
    // The more confident pass wins: the whole-utterance one in steady noise, the streaming one
    // (whose prior mean suits clean, short commands better) otherwise.
    const [heard, other] = !whole || (streamed.text && streamed.confidence > whole.confidence) ? [streamed, whole] : [whole, streamed];
    const partial = this.#partial.trim();
    this.#partial = '';
    const rejected = (hypothesis: string, confidence: number): Transcript => ({
      text: '',
      source: 'voice',
      confidence,
      engine,
      words: [],
      alternatives: hypothesis ? [{ text: hypothesis, confidence }] : [],
      // Words were heard (not just silence or noise): the reply is "not understood".
      ...(hypothesis ? { rejected: true } : {}),
    });
    // No path reached the grammar's end (a command cut off): nothing to act on.
    if (!heard.text) return rejected(partial, 0);
    const { text, words, confidence } = heard;
    // The garbage loop won: what was said is not a command (or was drowned in noise).
    if (hasGarbage(text)) return rejected(withoutGarbage(text), 0);
    const threshold = this.#settings.rejectBelow;
    if (threshold !== undefined && confidence < threshold) return rejected(text, confidence);
    // Out-of-grammar speech: the command's words fit the audio far worse than any sounds would.
    const verifyBelow = this.#settings.verifyBelow;
    const floor = typeof verifyBelow === 'number' ? verifyFloor(verifyBelow, spreadDb, this.#skip.quietSpreadDb) : null;
    if (audio && this.#verify && floor !== null && options.verify !== false) {
      const verification = this.#verify(audio, text);
      const score = verification ? verificationScore(verification.fit, confidence) : -Infinity;
      this.lastVerification = verification && { ...verification, spreadDb, score };
      if (!verification || score < floor) return rejected(text, 0);
    }
    const alternatives = [{ text, confidence }];
    if (other?.text && other.text !== text && !hasGarbage(other.text)) alternatives.push({ text: other.text, confidence: other.confidence });
    return { text, source: 'voice', confidence, engine, words, alternatives };
  }

  /** The decoder's result for the utterance it has just ended; word times (seconds) shifted by `offset`. */
  #read(offset = 0): Heard {
    const { decoder } = this.#pooled;
    const text = decoder.get_text().trim();
    if (!text) return { text, words: [], confidence: 0 };
    const segments = (decoder.get_alignment() as { w?: readonly AlignmentSegment[] }).w ?? [];
    const words: TranscriptWord[] = [];
    for (const seg of segments) {
      if (FILLER.test(seg.t)) continue;
      words.push({ word: seg.t.replace(/\(\d+\)$/, ''), start: round2(seg.b + offset), end: round2(seg.b + seg.d + offset), conf: clamp01(seg.p) });
    }
    return { text, words, confidence: utteranceConfidence(words) };
  }

  /** The kept audio of the utterance from sample `from` on (never less than the last second), and where it starts. */
  #takeUtterance(from: number): { audio: Float32Array; offset: number } | null {
    const window = this.#utterance;
    this.#utterance = null;
    if (!window?.end) return null;
    const offset = Math.max(window.start, Math.min(from, window.end - this.#settings.sampleRate));
    return { audio: window.slice(offset), offset };
  }

  /**
   * Feeds the denoiser once the utterance sounds noisy: a second or more of it, speech begun (a
   * frame SPEECH_BEGUN_DB over the quiet ones: before that, a quiet room's hum spreads as little as
   * noise does) and yet the level spread low. What came before goes in first, so that little is
   * left to denoise when the utterance ends. Returns the denoised audio the streaming decoder has
   * not heard yet (null before denoising began: the decoder hears the audio as it came).
   */
  #denoise(samples: Float32Array): Float32Array | null {
    if (this.#denoised) {
      const out = this.#denoised.stream.push(samples);
      const at = this.#denoised.from + this.#denoised.window.end;
      this.#denoised.window.push(out);
      // The denoiser lags a little: what the decoder heard raw at the switch is not heard twice.
      return out.subarray(Math.min(out.length, Math.max(0, this.#fed - at)));
    }
    const window = this.#utterance;
    if (!this.#denoiser || !window || window.end < this.#settings.sampleRate) return null;
    if (this.#levels.peakDb() < SPEECH_BEGUN_DB || this.#levels.spreadDb() >= this.#skip.quietSpreadDb) return null;
    const denoised = { stream: this.#denoiser.open(this.#settings.sampleRate), window: new AudioWindow(MAX_FINAL_PASS_SECONDS * this.#settings.sampleRate), from: window.start };
    for (const chunk of window.chunks) denoised.window.push(denoised.stream.push(chunk));
    this.#denoised = denoised;
    return null;
  }

  /** The utterance's audio as the final pass of a noisy utterance gets it: denoised, when a denoiser is configured. */
  #takeDenoised(utterance: { audio: Float32Array; offset: number }): Float32Array {
    const denoised = this.#denoised;
    this.#denoised = null;
    if (!denoised) return this.#denoiser ? this.#denoiser.denoise(utterance.audio, this.#settings.sampleRate) : utterance.audio;
    denoised.window.push(denoised.stream.end());
    return denoised.window.slice(utterance.offset - denoised.from);
  }

  #stopDenoising(): void {
    this.#denoised?.stream.close();
    this.#denoised = null;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopDenoising();
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

/** Whether an utterance is decoded again, whole: unless the streaming pass heard a clear command in a quiet room (see `finalPassSkip`). */
export function needsFinalPass(
  streamed: { readonly text: string; readonly confidence: number },
  spreadDb: number,
  skip: FinalPassSkip,
): boolean {
  if (!streamed.text || hasGarbage(streamed.text)) return true;
  return streamed.confidence < skip.confidence || spreadDb < skip.quietSpreadDb;
}

/**
 * The fit a command must reach: `threshold` in a quiet room (level spread ≥ `quietDb`), and no
 * verification in a less quiet one (null). Noise lowers the fit of right commands as much as of
 * wrong words (real commands in kitchen noise at 6 dB, spread 8–11 dB, fit at -3 to -13:
 * bench/rejection.ts --snr 6); a floor relaxed by up to 1 nat between 18 and 25 dB still rejected
 * one right command in ten of people in kitchen noise at 21–24 dB (bench:speech --real).
 */
export function verifyFloor(threshold: number, spreadDb: number, quietDb: number): number | null {
  return spreadDb >= quietDb ? threshold : null;
}

const hasGarbage = (text: string): boolean => text.split(/\s+/).some(isGarbageWord);

function withoutGarbage(text: string): string {
  return text
    .split(/\s+/)
    .filter((w) => w && !isGarbageWord(w))
    .join(' ');
}

const round2 = (v: number): number => Math.round(v * 100) / 100;

const clamp01 = (v: number): number => (Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0);

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
