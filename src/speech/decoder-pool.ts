import type { Decoder, SoundSwallowerModule } from 'soundswallower';
import type { RecognitionGrammar } from './engine.js';
import { SpeechError } from './errors.js';
import { attachFsg, graphToFsg, hostPointer, jsgfToFsg, releaseFsg } from './fsg.js';
import type { FsgModule } from './fsg.js';
import { garbageWords, withGarbageLoop } from './grammar-tools.js';
import { resolveMissingPronunciations } from './pronunciation.js';
import type { PronunciationTable } from './pronunciation.js';
import { DEFAULT_WARM_DECODERS } from './recognizer-settings.js';
import type { RecognizerSettings } from './recognizer-settings.js';

/**
 * The decoders of one thread: one lexicon decoder with the model's full pronunciation dictionary
 * (~24 MiB, ~0.15–1 s to create: the dictionary is most of both), a pool of lean stream decoders
 * whose dictionary holds only the grammar's words (~10 MiB each with the command grammar, tens of
 * ms; figures for the 8 kHz model, WASM heap growth per decoder), and per grammar version
 * one compiled search graph (FSG) shared by all of them (compiling takes seconds for the full
 * command grammar; attaching a compiled one to another decoder well under one). A spare stream
 * decoder is kept ready in the background, so opening a stream never waits for one to be built.
 */

export interface PooledDecoder {
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

const MAX_IDLE_DECODERS = 8;
const DEFAULT_SPARE_DECODERS = 1;
/** Compiled grammars kept per worker (the current one and the one before, while streams drain). */
const MAX_COMPILED = 2;

export class DecoderPool {
  readonly #module: SoundSwallowerModule;
  readonly #low: FsgModule;
  readonly #settings: RecognizerSettings;
  readonly #pronunciations: PronunciationTable;
  readonly #idle: PooledDecoder[] = [];
  readonly #compiled = new Map<string, CompiledGrammar>();
  /** Full dictionary: pronunciation look-ups and the words of new grammars; never given to a stream. */
  #lexicon!: PooledDecoder;
  /** The grammar last compiled or opened: spare decoders are made ready for it. */
  #current: CompiledGrammar | null = null;
  /** The background build of spare decoders, while one runs. */
  #replenishing: Promise<void> | null = null;
  #disposed = false;

  private constructor(module: SoundSwallowerModule, settings: RecognizerSettings) {
    this.#module = module;
    this.#low = module as unknown as FsgModule;
    this.#settings = settings;
    this.#pronunciations = new Map(settings.pronunciations ?? []);
  }

  /** Loads the model into the lexicon decoder (a broken model fails here), then the warm stream decoders. */
  static async create(module: SoundSwallowerModule, settings: RecognizerSettings): Promise<DecoderPool> {
    const pool = new DecoderPool(module, settings);
    pool.#lexicon = await pool.#createDecoder(false);
    return pool;
  }

  /** Creates the stream decoders served at once (`warmDecoders`). */
  async warm(): Promise<void> {
    const count = Math.max(1, this.#settings.warmDecoders ?? DEFAULT_WARM_DECODERS);
    for (let i = 0; i < count; i++) this.#idle.push(await this.#createDecoder(true));
  }

  /** The decoder with the model's full dictionary: never streams, never leaves the pool. */
  get lexicon(): Decoder {
    return this.#lexicon.decoder;
  }

  /** Idle stream decoders (tests, diagnostics). */
  get idle(): number {
    return this.#idle.length;
  }

  /** Compiles `grammar` and attaches it to every idle decoder, so streams using it open at once. */
  async prepare(grammar: RecognitionGrammar): Promise<void> {
    const compiled = await this.#compile(grammar);
    this.#current = compiled;
    for (const pooled of this.#idle) if (pooled.grammarVersion !== compiled.version) this.#attach(pooled, compiled);
  }

  /** A stream decoder searching `grammar`, its audio front end reset; give it back with `release`. */
  async take(grammar: RecognitionGrammar): Promise<PooledDecoder> {
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
    return pooled;
  }

  release(pooled: PooledDecoder): void {
    if (!this.#disposed && this.#idle.length < MAX_IDLE_DECODERS) this.#idle.push(pooled);
    else pooled.decoder.delete();
  }

  /** Resolves once no spare decoder is being built (tests, diagnostics). */
  async settled(): Promise<void> {
    await this.#replenishing;
  }

  /** Frees every idle decoder, the lexicon decoder and the compiled grammars. */
  dispose(): void {
    this.#disposed = true;
    for (const d of this.#idle.splice(0)) d.decoder.delete();
    this.#lexicon.decoder.delete();
    for (const c of this.#compiled.values()) releaseFsg(this.#low, c.fsg);
    this.#compiled.clear();
  }

  /**
   * Tops the idle pool up to the spare count after a stream took a decoder: built a macrotask
   * later, between the chunks of the streams already running (a lean decoder costs them one pause
   * of tens of ms, instead of the next stream waiting for it while everything behind it queues).
   */
  #replenish(): void {
    const spare = Math.max(0, this.#settings.spareDecoders ?? DEFAULT_SPARE_DECODERS);
    if (this.#replenishing || this.#disposed || this.#idle.length >= spare) return;
    this.#replenishing = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 0));
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
      }
    })().finally(() => {
      this.#replenishing = null;
    });
  }

  /** `lean`: no pronunciation dictionary of its own; each grammar's words are added to it on attach. */
  async #createDecoder(lean: boolean): Promise<PooledDecoder> {
    const { modelPath, sampleRate, tuning } = this.#settings;
    const decoder = new this.#module.Decoder({ hmm: modelPath, samprate: sampleRate, loglevel: 'FATAL' });
    // With no `dict` the decoder starts with the filler words only (noisedict): ~4 MiB instead of
    // ~24 MiB, and most of the load time saved.
    if (lean) decoder.unset_config('dict');
    try {
      await decoder.initialize();
    } catch (error) {
      decoder.delete();
      throw new SpeechError('HM_ERR_SPEECH_MODEL_NOT_FOUND', `Cannot load the acoustic model in ${modelPath}`, { cause: error });
    }
    let audioChanged = false;
    for (const [key, value] of Object.entries(tuning ?? {})) {
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
    const garbage = this.#settings.garbage ?? false;
    if (garbage) words.push(...garbageWords());
    const source = garbage ? withGarbageLoop(grammar.jsgf, garbage) : grammar.jsgf;
    this.#addWords(host, words);
    const logmath = this.#low._decoder_logmath(hostPointer(host.decoder));
    const lw = Number(host.decoder.get_config('lw'));
    // The minimal word graph searches ~10× faster than the JSGF compiler's graph (see word-graph.ts);
    // the garbage loop's weights and repetition take the JSGF compiler, as does a grammar without a
    // graph (its builder, buildSpeechGrammar or grammarFromJsgf, found none: trying again is wasted).
    const graph = garbage ? null : (grammar.graph ?? null);
    const fsg = graph ? graphToFsg(this.#low, graph, logmath, lw) : jsgfToFsg(this.#low, source, logmath, lw);
    if (!fsg) throw new SpeechError('HM_ERR_SPEECH_GRAMMAR_INVALID', 'The recognition grammar does not compile (JSGF syntax error or no public rule)');
    const compiled: CompiledGrammar = { version: grammar.version, fsg, words, lexicon: this.#lexiconOf(host, grammar.words, source) };
    this.#compiled.set(grammar.version, compiled);
    while (this.#compiled.size > MAX_COMPILED) {
      const [oldest, old] = this.#compiled.entries().next().value as [string, CompiledGrammar];
      this.#compiled.delete(oldest);
      // Decoders using it hold their own reference; this drops only the cache's.
      releaseFsg(this.#low, old.fsg);
    }
    return compiled;
  }

  /**
   * The dictionary entries (with their `word(2)` … variants) of the grammar's words and of every
   * word-like token of its JSGF source (words the word list misses, e.g. with digits or hyphens,
   * stay covered).
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
    attachFsg(this.#low, pooled.decoder, compiled.fsg);
    pooled.grammarVersion = compiled.version;
  }
}
