import { existsSync } from 'node:fs';
import { fnv1a } from '../nlu/grammar.js';
import { resolve } from 'node:path';
import type { RecognitionGrammar, SpeechEngine } from './engine.js';
import { SpeechError } from './errors.js';
import { describeSpeechModel, resolveSpeechModel, speechModelAdvice } from './model.js';
import { loadPronunciationFile } from './pronunciation.js';
import type { RecognizerSettings } from './recognizer-settings.js';
import { DEFAULT_VERIFY_BELOW, DEFAULT_WARM_DECODERS } from './recognizer-settings.js';
import { PooledSpeechEngine } from './soundswallower-engine.js';
import { compileWordGraph } from './word-graph.js';
import type { SpeechLogger } from './worker-pool.js';

/** The speech stage's public API. */
export type { PartialResult, RecognitionGrammar, RecognizerStream, SpeechEngine } from './engine.js';
export { SpeechError, isSpeechError, SPEECH_ERROR_CODES } from './errors.js';
export type { SpeechErrorCode } from './errors.js';
export { parseWav, writeWav } from './wav.js';
export type { WavAudio } from './wav.js';
export { Resampler, resample } from './resample.js';
export { Endpointer } from './endpointer.js';
export type { EndpointEvent, EndpointerOptions } from './endpointer.js';
export { measureVoiceActivity, prepareVoiceActivity, VoiceActivityDetector } from './voice-activity.js';
export type { VadMode, VoiceActivity, VoiceActivityOptions } from './voice-activity.js';
export { bytesToPcm16, float32ToPcm16, pcm16ToFloat32 } from './pcm.js';
export { describeSpeechModel, resolveSpeechModel, speechModelAdvice } from './model.js';
export type { SpeechModel } from './model.js';
export { DEFAULT_CONDITIONING, DEFAULT_FINAL_PASS_SKIP, DEFAULT_VERIFY_BELOW } from './recognizer-settings.js';
export type { ConditioningSettings, DecoderTuning, FinalPassSkip } from './recognizer-settings.js';
export type { GarbageOptions } from './grammar-tools.js';
export { InputConditioner } from './conditioning.js';
export { buildSpeechGrammar } from './speech-grammar.js';
export type { SpeechGrammarOptions } from './speech-grammar.js';
export type { SpeechLogger } from './worker-pool.js';

/** The rate every engine here decodes at; transports resample client audio to it. */
export const ENGINE_SAMPLE_RATE = 16_000;

/** The recogniser settings a deployment chooses, each documented on RecognizerSettings. */
type DeploymentSettings = Pick<
  RecognizerSettings,
  'tuning' | 'rejectBelow' | 'conditioning' | 'garbage' | 'warmDecoders' | 'finalPass' | 'finalPassSkip' | 'denoise' | 'verifyBelow' | 'verifyPhoneMargin'
>;

export interface SpeechEngineConfig extends DeploymentSettings {
  /** `auto` = soundswallower (vosk only when chosen explicitly). */
  readonly engine: 'auto' | 'soundswallower' | 'vosk';
  /** SPEECH_MODEL_PATH: a PocketSphinx or SoundSwallower model folder. */
  readonly modelPath?: string;
  readonly voskModelPath?: string;
  /** Assembled models go to `<cacheDir>/models/`. */
  readonly cacheDir: string;
  /** Worker threads; 0 = one per core. */
  readonly workers: number;
  readonly logger?: SpeechLogger;
  /** Force a model: `8k` = the bundled one. Default `auto` (16 kHz when installed). */
  readonly model?: 'auto' | '16k' | '8k';
  /** Per-deployment pronunciations; default `./pronunciations.dict` when it exists. */
  readonly pronunciationsPath?: string;
}

/** A running engine plus the model it uses (for the start-up log). */
export interface StartedSpeechEngine extends SpeechEngine {
  /** e.g. `soundswallower/en-us-16k (Debian pocketsphinx-en-us, 16 kHz band, …)`. */
  readonly description: string;
}

/**
 * Starts the configured engine: resolves the model (assembling Debian's 16 kHz model into the
 * cache when installed), then starts the worker pool, each worker loading the model once.
 * @throws SpeechError `HM_ERR_SPEECH_ENGINE_UNAVAILABLE` (vosk without a model, …) or `HM_ERR_SPEECH_MODEL_NOT_FOUND`.
 */
export async function createSpeechEngine(config: SpeechEngineConfig): Promise<StartedSpeechEngine> {
  const vosk = await import('./vosk-engine.js');
  if (vosk.selectSpeechEngine(config) === 'vosk') {
    if (!config.voskModelPath || !existsSync(config.voskModelPath)) {
      throw new SpeechError('HM_ERR_SPEECH_ENGINE_UNAVAILABLE', vosk.voskModelMissingMessage(config.voskModelPath));
    }
    return vosk.startVoskEngine(config);
  }
  const model = await resolveSpeechModel({ modelPath: config.modelPath, cacheDir: config.cacheDir, prefer: config.model });
  const pronunciationsPath = config.pronunciationsPath ?? resolve('pronunciations.dict');
  const pronunciations = [...loadPronunciationFile(pronunciationsPath).entries()];
  const name = `soundswallower/${model.id}`;
  const advice = speechModelAdvice(model);
  const { tuning, rejectBelow, conditioning, garbage, warmDecoders, finalPass, finalPassSkip, denoise, verifyBelow, verifyPhoneMargin } = config;
  const engine = await PooledSpeechEngine.start({
    name,
    description: describeSpeechModel(model),
    ...(advice ? { advice } : {}),
    workers: config.workers,
    logger: config.logger,
    settings: {
      modelPath: model.path,
      engineName: name,
      sampleRate: ENGINE_SAMPLE_RATE,
      pronunciations,
      tuning,
      rejectBelow,
      conditioning,
      garbage,
      warmDecoders: warmDecoders ?? DEFAULT_WARM_DECODERS,
      finalPass,
      finalPassSkip,
      denoise,
      // Only the 16 kHz model is verified: the threshold was measured with it; the 8 kHz-band one scores otherwise.
      verifyBelow: model.id === 'en-us-16k' ? verifyBelow ?? DEFAULT_VERIFY_BELOW : false,
      verifyPhoneMargin,
    },
  });
  config.logger?.info({ speech: engine.description, workers: engine.size }, 'speech engine ready');
  return engine;
}

/** A grammar from JSGF source (words taken from its rules), with its word graph when it has one. */
export function grammarFromJsgf(jsgf: string, phrases: readonly string[] = []): RecognitionGrammar {
  const body = jsgf.replace(/\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '').split('\n').filter((l) => !/^\s*(#JSGF|grammar|import)\b/.test(l));
  const words = new Set<string>();
  for (const line of body) {
    const rhs = line.includes('=') ? line.slice(line.indexOf('=') + 1) : line;
    for (const token of rhs.replace(/<[^>]*>/g, ' ').replace(/\{[^}]*\}/g, ' ').split(/[\s|()[\];*+/]+/)) {
      const word = token.trim().toLowerCase();
      if (word && /^[a-z']+$/.test(word)) words.add(word);
    }
  }
  // Compiled here once rather than by every decoder worker (null: weights or repetition, see word-graph.ts).
  const graph = compileWordGraph(jsgf);
  return { jsgf, phrases, words: [...words].sort(), version: `jsgf-${fnv1a(jsgf)}`, ...(graph ? { graph } : {}) };
}
