import { Errors } from '../errors.js';
import { float32ToPcm16, mixToMono, pcm16ToFloat32 } from '../speech/pcm.js';
import { Resampler } from '../speech/resample.js';
import type { EventData } from './events.js';

/** The audio format of `audio-start` / `audio-chunk`. */
export interface AudioFormat {
  readonly rate: number;
  /** Bytes per sample. */
  readonly width: number;
  readonly channels: number;
}

const MIN_RATE = 8_000;
const MAX_RATE = 48_000;
const MAX_CHANNELS = 8;

/**
 * Reads and checks a format from event data. Only 16-bit samples are taken: it is what every
 * satellite and Home Assistant send, and the engines decode nothing finer.
 * @throws HoloMeshError HM_ERR_VOICE_AUDIO for anything else.
 */
export function parseAudioFormat(data: EventData): AudioFormat {
  const { rate, width, channels } = data;
  if (!Number.isInteger(rate) || (rate as number) < MIN_RATE || (rate as number) > MAX_RATE) {
    throw Errors.UnsupportedAudio(`"rate" must be an integer from ${MIN_RATE} to ${MAX_RATE} Hz`);
  }
  if (width !== 2) throw Errors.UnsupportedAudio('only 16-bit audio is supported ("width": 2)');
  if (!Number.isInteger(channels) || (channels as number) < 1 || (channels as number) > MAX_CHANNELS) {
    throw Errors.UnsupportedAudio(`"channels" must be an integer from 1 to ${MAX_CHANNELS}`);
  }
  return { rate: rate as number, width, channels: channels as number };
}

/**
 * Turns a client's audio chunks into the engine's input: little-endian 16-bit frames, channels
 * mixed to mono, resampled to the engine's rate. Audio beyond `maxSeconds` is dropped: the
 * utterance is cut there, as the WebSocket session ends an over-long utterance.
 */
export class AudioIntake {
  readonly format: AudioFormat;
  readonly #resampler: Resampler | null;
  readonly #maxFrames: number;
  #frames = 0;

  constructor(format: AudioFormat, engineRate: number, maxSeconds: number) {
    this.format = format;
    this.#resampler = format.rate === engineRate ? null : new Resampler(format.rate, engineRate);
    this.#maxFrames = Math.round(maxSeconds * format.rate);
  }

  /** True once the utterance reached its longest allowed length. */
  get isFull(): boolean {
    return this.#frames >= this.#maxFrames;
  }

  /**
   * One chunk → engine-rate mono PCM (possibly empty).
   * @throws HoloMeshError HM_ERR_VOICE_AUDIO when the chunk is not whole frames of the format.
   */
  push(payload: Buffer): Int16Array {
    const frameBytes = this.format.width * this.format.channels;
    if (payload.length % frameBytes !== 0) throw Errors.UnsupportedAudio(`an audio chunk must hold whole frames of ${frameBytes} bytes`);
    const frames = Math.min(payload.length / frameBytes, this.#maxFrames - this.#frames);
    if (frames <= 0) return new Int16Array(0);
    this.#frames += frames;
    const mono = mixToMono(payload, this.format.channels, frames);
    return this.#resampler ? float32ToPcm16(this.#resampler.process(pcm16ToFloat32(mono))) : mono;
  }

  /** The resampler's tail at the end of the utterance. */
  flush(): Int16Array {
    return this.#resampler ? float32ToPcm16(this.#resampler.flush()) : new Int16Array(0);
  }
}
