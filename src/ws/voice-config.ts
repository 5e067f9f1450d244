import { Type } from '@sinclair/typebox';
import type { RecognitionGrammar } from '../speech/engine.js';
import { Errors } from '../errors.js';
import { isSupportedSampleRate, SUPPORTED_SAMPLE_RATES } from '../speech/sample-rates.js';
import { grammarFromPhrases } from './phrase-grammar.js';
import { assertFrame } from './voice-messages.js';

/** Alternatives sent at most; a client asking for more gets this many, as vosk gives what it has. */
export const MAX_ALTERNATIVES = 10;

/** What a `{"config": {...}}` frame sets for the stream. */
export interface StreamConfig {
  readonly sampleRate: number;
  /** Word times (`result`) in final results. */
  readonly words: boolean;
  /** Replies also as synthesized speech: PCM16 binary frames at `sampleRate` after the JSON. */
  readonly tts: boolean;
  /** 0: vosk's single result; n > 0: `alternatives` (at most n, capped at {@link MAX_ALTERNATIVES}). */
  readonly maxAlternatives: number;
  /** From a vosk-style `phrase_list`: recognition restricted to the words of those phrases. */
  readonly phraseGrammar: RecognitionGrammar | null;
}

/**
 * vosk-server's defaults, so a client that sends no config (or leaves fields out) gets what it
 * would get there: 8 kHz audio (`VOSK_SAMPLE_RATE`) and word times (`VOSK_SHOW_WORDS`).
 */
export const DEFAULT_STREAM_CONFIG: StreamConfig = { sampleRate: 8_000, words: true, tts: false, maxAlternatives: 0, phraseGrammar: null };

// vosk-server reads a flag with Python's bool(): true/false and numbers (0 = off) are what clients
// send. Strings are refused rather than coerced: "false" must not switch words on.
const flag = (name: string) => Type.Union([Type.Boolean(), Type.Number()], { errorMessage: `${name} must be true or false` });

const PHRASE_LIST = 'phrase_list must be a list of at most 1000 strings of at most 200 characters';
const ConfigFrame = Type.Object({
  sample_rate: Type.Optional(Type.Number({ errorMessage: 'sample_rate must be a number' })),
  words: Type.Optional(flag('words')),
  tts: Type.Optional(flag('tts')),
  max_alternatives: Type.Optional(Type.Number({ errorMessage: 'max_alternatives must be a number' })),
  phrase_list: Type.Optional(Type.Array(Type.String({ maxLength: 200, errorMessage: PHRASE_LIST }), { maxItems: 1_000, errorMessage: PHRASE_LIST })),
}, { errorMessage: 'config must be an object' });

export interface ConfigOptions {
  /** Spoken replies can be offered (a synthesizer runs). */
  readonly canSpeak: boolean;
}

/**
 * The stream config after a client's `config` object, starting from `current` (fields left out
 * keep their value; unknown fields are ignored, as vosk-server does).
 * @throws HM_ERR_VOICE_PROTOCOL for a malformed field, HM_ERR_VOICE_AUDIO for an unsupported rate,
 *   HM_ERR_VOICE_UNAVAILABLE for `tts` on a server without speech synthesis.
 */
export function parseStreamConfig(raw: unknown, current: StreamConfig, options: ConfigOptions): StreamConfig {
  assertFrame(ConfigFrame, raw);
  const next = { ...current };
  if (raw.sample_rate !== undefined) {
    if (!isSupportedSampleRate(raw.sample_rate)) {
      throw Errors.UnsupportedAudio(`sample_rate ${String(raw.sample_rate)} is not supported; use one of ${SUPPORTED_SAMPLE_RATES.join(', ')}`);
    }
    next.sampleRate = raw.sample_rate;
  }
  if (raw.words !== undefined) next.words = Boolean(raw.words);
  if (raw.tts !== undefined) {
    if (raw.tts && !options.canSpeak) throw Errors.SpeechUnavailable('spoken replies (tts) are not available on this server');
    next.tts = Boolean(raw.tts);
  }
  // Any count is accepted (vosk-server takes int() of it): an error frame here would be a reply
  // the client never asked for, and every later reply would then answer the wrong frame.
  if (raw.max_alternatives !== undefined) next.maxAlternatives = Math.min(MAX_ALTERNATIVES, Math.max(0, Math.trunc(raw.max_alternatives)));
  if (raw.phrase_list !== undefined) {
    // Built now so that a list with nothing speakable is refused at config time.
    next.phraseGrammar = raw.phrase_list.length > 0 ? grammarFromPhrases(raw.phrase_list) : null;
  }
  return next;
}
