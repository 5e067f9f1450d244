import { Errors, HoloMeshError } from '../errors.js';

/**
 * The speech stage's errors live in the project catalog (`Errors.Speech*` in src/errors.ts); this
 * module only keeps a typed way to raise them by code, for throw sites and worker replies.
 */
const CATALOG = {
  HM_ERR_SPEECH_WAV_INVALID: Errors.SpeechWavInvalid,
  HM_ERR_SPEECH_MODEL_NOT_FOUND: Errors.SpeechModelNotFound,
  HM_ERR_SPEECH_GRAMMAR_INVALID: Errors.SpeechGrammarInvalid,
  HM_ERR_SPEECH_ENGINE_UNAVAILABLE: Errors.SpeechEngineUnavailable,
  HM_ERR_SPEECH_STREAM_CLOSED: Errors.SpeechStreamClosed,
  HM_ERR_SPEECH_WORKER_FAILED: Errors.SpeechWorkerFailed,
} as const;

export type SpeechErrorCode = keyof typeof CATALOG;

export const SPEECH_ERROR_CODES = Object.keys(CATALOG) as readonly SpeechErrorCode[];

/** A catalog error raised by the speech stage (status from the catalog). */
export class SpeechError extends HoloMeshError {
  declare readonly code: SpeechErrorCode;

  constructor(code: SpeechErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, CATALOG[code].statusCode, message);
    this.name = 'SpeechError';
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

export function isSpeechError(value: unknown): value is SpeechError {
  return value instanceof SpeechError;
}
