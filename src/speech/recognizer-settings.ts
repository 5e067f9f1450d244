import type { GarbageOptions } from './grammar-tools.js';

/** What a SoundSwallower recogniser is started with (structured-clone friendly: it is sent to each worker) and its defaults. */

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
   * Applied as is in a quiet room (level spread at least
   * `finalPassSkip.quietSpreadDb`), not at all in a less quiet one (verifyFloor).
   * Off when not given (the speech engine sets DEFAULT_VERIFY_BELOW for the model it was measured
   * with). Needs the final pass's audio (`finalPass` not false).
   */
  readonly verifyBelow?: number | false;
  /**
   * With `verifyBelow`: in a noisy room (verifier.ts, NOISY_ROOM_SPREAD_DB) a command below the
   * threshold still stands when it fits at least this many nats per frame of speech better than
   * the best phone sequence (a free phone loop over the same audio). Default PHONE_MARGIN; false:
   * the threshold alone decides.
   */
  readonly verifyPhoneMargin?: number | false;
  /**
   * With `verifyBelow`: the level spread (dB) from which a command is verified; below it the room
   * is too noisy to judge in and nothing is rejected for its fit. Default VERIFY_MIN_SPREAD_DB
   * (verifier.ts); `bench:rejection --verify-spread` measures others.
   */
  readonly verifyMinSpreadDb?: number;
}

export const DEFAULT_CONDITIONING: ConditioningSettings = { targetPeakDb: -26, floorBelowPeakDb: 35 };

/** Measured with bench/speech.ts --final-pass-skip CONFIDENCE,DB (holdout and flite voices). */
export const DEFAULT_FINAL_PASS_SKIP: FinalPassSkip = { confidence: 0.8, quietSpreadDb: 25 };

/**
 * Measured with bench/rejection.ts with the 16 kHz model: real people's in-grammar commands mostly
 * fit at -1.5 to -2.9, their out-of-grammar speech forced onto the marketplace grammar mostly at
 * -3.2 to -10 (the two overlap a little; espeak's voices fit at -2 to -4.3).
 */
export const DEFAULT_VERIFY_BELOW = -3;

/** Stream decoders each worker creates up front. */
export const DEFAULT_WARM_DECODERS = 4;
