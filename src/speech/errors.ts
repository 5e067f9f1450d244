import { HoloMeshError } from '../errors.js';

/**
 * Errors of the speech stage, coded like the project catalog (`HM_ERR_<AREA>_<WHAT>`).
 */
export type SpeechErrorCode =
  | 'HM_ERR_SPEECH_WAV_INVALID'
  | 'HM_ERR_SPEECH_MODEL_NOT_FOUND'
  | 'HM_ERR_SPEECH_GRAMMAR_INVALID'
  | 'HM_ERR_SPEECH_ENGINE_UNAVAILABLE'
  | 'HM_ERR_SPEECH_STREAM_CLOSED'
  | 'HM_ERR_SPEECH_WORKER_FAILED';

export const SPEECH_ERROR_CODES = [
  'HM_ERR_SPEECH_WAV_INVALID',
  'HM_ERR_SPEECH_MODEL_NOT_FOUND',
  'HM_ERR_SPEECH_GRAMMAR_INVALID',
  'HM_ERR_SPEECH_ENGINE_UNAVAILABLE',
  'HM_ERR_SPEECH_STREAM_CLOSED',
  'HM_ERR_SPEECH_WORKER_FAILED',
] as const satisfies readonly SpeechErrorCode[];

const STATUS: Readonly<Record<SpeechErrorCode, number>> = {
  HM_ERR_SPEECH_WAV_INVALID: 415,
  HM_ERR_SPEECH_MODEL_NOT_FOUND: 503,
  HM_ERR_SPEECH_GRAMMAR_INVALID: 500,
  HM_ERR_SPEECH_ENGINE_UNAVAILABLE: 503,
  HM_ERR_SPEECH_STREAM_CLOSED: 409,
  HM_ERR_SPEECH_WORKER_FAILED: 503,
};

/** A speech-stage failure; a {@link HoloMeshError}, so HTTP and WS layers serialise it as usual. */
export class SpeechError extends HoloMeshError {
  declare readonly code: SpeechErrorCode;

  constructor(code: SpeechErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, STATUS[code], message);
    this.name = 'SpeechError';
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

export function isSpeechError(value: unknown): value is SpeechError {
  return value instanceof SpeechError;
}
