import type { Transcript } from '../contracts.js';
import type { WordGraph } from './word-graph.js';

/**
 * What a recogniser may say: a JSGF grammar (finite-state engines) and/or a phrase list
 * (Vosk), plus every word it can produce so pronunciations can be resolved up front.
 */
export interface RecognitionGrammar {
  /** JSGF source, e.g. generated from intents/ plus the live lists by `src/nlu`. */
  readonly jsgf: string;
  /**
   * The same language as the decoder's search graph (`buildSpeechGrammar` builds it from the
   * templates, `grammarFromJsgf` from the JSGF); without it (templates too large, JSGF with weights
   * or repetition) a graph engine compiles `jsgf` with its own JSGF compiler.
   */
  readonly graph?: WordGraph;
  /** The phrases the grammar accepts, for engines that take a phrase list. */
  readonly phrases: readonly string[];
  /** Every distinct lower-case word of the grammar. */
  readonly words: readonly string[];
  /** Changes whenever the grammar content changes (cache key for compiled decoders). */
  readonly version: string;
}

/** A partial hypothesis while audio is still coming. */
export interface PartialResult {
  readonly partial: string;
}

/** What the caller knows about the utterance it ends. */
export interface FinishOptions {
  /**
   * Where the speech began, in seconds since the utterance began (the stream opened or the last
   * `finish`): audio before it (a speaker's idle room) need not be decoded again at the end.
   */
  readonly speechFromSeconds?: number;
  /**
   * Whether out-of-grammar verification may reject the result (default true, where the engine
   * verifies at all). Off for audio that arrived band-limited below 16 kHz — the model scores such
   * audio poorly whatever was said, and the threshold was measured on 16 kHz speech — and for a
   * client's own open phrase list, which is not a command grammar.
   */
  readonly verify?: boolean;
}

/** Input rates the out-of-grammar threshold holds for (see FinishOptions.verify). */
export const canVerifyAtRate = (sampleRate: number): boolean => sampleRate >= 16_000;

/** One recognition stream: one utterance at a time, many utterances per stream. */
export interface RecognizerStream {
  /** Feed 16-bit mono PCM at the engine's sample rate. Resolves with the current partial text. */
  accept(pcm: Int16Array): Promise<PartialResult>;
  /** End the current utterance: the final transcript; the stream is ready for the next one. */
  finish(options?: FinishOptions): Promise<Transcript>;
  /** Release the decoder. Idempotent. */
  close(): Promise<void>;
}

/** A speech engine (soundswallower, vosk, …) behind one streaming interface. */
export interface SpeechEngine {
  /** e.g. `soundswallower/en-us-16k` — logged at start and stored with every voice command. */
  readonly name: string;
  /** The PCM rate the engine decodes at; callers resample to it. */
  readonly sampleRate: number;
  /** One line on how to get a better model, when a weaker one is in use (see speechModelAdvice). */
  readonly advice?: string;
  openStream(grammar: RecognitionGrammar): Promise<RecognizerStream>;
  /**
   * Optional: compile `grammar` ahead of the first stream (and after the live lists change), so
   * opening a stream never waits for it. Engines without a compile step may omit it.
   */
  prepare?(grammar: RecognitionGrammar): Promise<void>;
  close(): Promise<void>;
}
