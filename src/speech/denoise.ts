import createRnnoise from '@jitsi/rnnoise-wasm/dist/rnnoise-sync.js';
import { concatSamples } from './pcm.js';
import { Resampler } from './resample.js';

/**
 * RNNoise (a small recurrent network trained to suppress non-speech noise; WASM from npm):
 * audio resampled to its 48 kHz, denoised in 10 ms frames, resampled back. Streaming, so a noisy
 * utterance can be cleaned while it is spoken instead of all at once when it ends. Synchronous
 * once loaded; about 0.07 s of CPU per second of audio (0.06 the network, under 0.01 resampling).
 */

const RATE = 48_000;
const FRAME = 480;
/** Output lags input by two frames (measured: 20 ms); that much is dropped from the front. */
const DELAY = 2 * FRAME;

type RnnoiseModule = ReturnType<typeof createRnnoise>;

let modulePromise: Promise<RnnoiseModule> | null = null;

async function load(): Promise<RnnoiseModule> {
  const module = createRnnoise();
  await module.ready;
  return module;
}

export class Denoiser {
  readonly #module: RnnoiseModule;

  private constructor(module: RnnoiseModule) {
    this.#module = module;
  }

  static async create(): Promise<Denoiser> {
    modulePromise ??= load();
    return new Denoiser(await modulePromise);
  }

  /** A stream for one utterance at `sampleRate`: what goes in comes out as long, aligned, cleaned. */
  open(sampleRate: number): DenoiseStream {
    return new DenoiseStream(this.#module, sampleRate);
  }

  /** A whole signal in [-1, 1] at `sampleRate`; the same length back. */
  denoise(samples: Float32Array, sampleRate: number): Float32Array {
    const stream = this.open(sampleRate);
    return concatSamples(stream.push(samples), stream.end());
  }
}

export class DenoiseStream {
  readonly #module: RnnoiseModule;
  readonly #up: Resampler;
  readonly #down: Resampler;
  #state: number;
  readonly #pointer: number;
  /** 48 kHz samples waiting for a whole frame. */
  #pending = new Float32Array(0);
  /** Output samples (48 kHz) still to drop: the network's delay. */
  #skip = DELAY;
  #in = 0;
  #out = 0;

  constructor(module: RnnoiseModule, sampleRate: number) {
    this.#module = module;
    this.#up = new Resampler(sampleRate, RATE);
    this.#down = new Resampler(RATE, sampleRate);
    this.#state = module._rnnoise_create(0);
    this.#pointer = module._malloc(FRAME * 4);
  }

  /** Cleaned audio so far (it lags the input by a little; `end` gives the rest). */
  push(samples: Float32Array): Float32Array {
    this.#in += samples.length;
    return this.#emit(this.#down.process(this.#frames(this.#up.process(samples))));
  }

  /** The rest, so that the output is as long as the input; frees the network's state. */
  end(): Float32Array {
    // Zeros after the input fill the last frame and push the delayed tail out; #emit cuts the excess.
    const out = concatSamples(
      this.#emit(this.#down.process(this.#frames(this.#up.flush()))),
      this.#emit(this.#down.process(this.#frames(new Float32Array(FRAME + DELAY)))),
      this.#emit(this.#down.flush()),
    );
    this.close();
    return out;
  }

  /** Frees the network's state (the stream cannot be used after). */
  close(): void {
    if (!this.#state) return;
    this.#module._free(this.#pointer);
    this.#module._rnnoise_destroy(this.#state);
    this.#state = 0;
  }

  /** Denoises every whole frame of `pending + samples` (48 kHz); keeps the remainder. */
  #frames(samples: Float32Array): Float32Array {
    const all = concatSamples(this.#pending, samples);
    const whole = all.length - (all.length % FRAME);
    this.#pending = all.slice(whole);
    const out = new Float32Array(whole);
    const module = this.#module;
    const at = this.#pointer >> 2;
    for (let start = 0; start < whole; start += FRAME) {
      const heap = module.HEAPF32;
      for (let i = 0; i < FRAME; i++) heap[at + i] = all[start + i] * 32768;
      module._rnnoise_process_frame(this.#state, this.#pointer, this.#pointer);
      for (let i = 0; i < FRAME; i++) out[start + i] = module.HEAPF32[at + i] / 32768;
    }
    const skip = Math.min(this.#skip, out.length);
    this.#skip -= skip;
    return out.subarray(skip);
  }

  /** Output at the input rate, never more in all than came in. */
  #emit(samples: Float32Array): Float32Array {
    const room = Math.max(0, this.#in - this.#out);
    const out = samples.length > room ? samples.subarray(0, room) : samples;
    this.#out += out.length;
    return out;
  }
}
