import createRnnoise from '@jitsi/rnnoise-wasm/dist/rnnoise-sync.js';
import { resample } from './resample.js';

/**
 * RNNoise (a small recurrent network trained to suppress non-speech noise; WASM from npm) over a
 * whole utterance: resampled to its 48 kHz, denoised in 10 ms frames, resampled back. Synchronous
 * once loaded; ~0.07 s of CPU per second of audio.
 */

const RATE = 48_000;
const FRAME = 480;
/** Output lags input by two frames (measured: 20 ms). */
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

  /** `samples` in [-1, 1] at `sampleRate`; the same length back, the network's 10 ms delay taken out. */
  denoise(samples: Float32Array, sampleRate: number): Float32Array {
    const module = this.#module;
    const input = resample(samples, sampleRate, RATE);
    const output = new Float32Array(input.length);
    const state = module._rnnoise_create(0);
    const pointer = module._malloc(FRAME * 4);
    try {
      const frame = new Float32Array(FRAME);
      // Frames past the input flush the delayed tail.
      for (let at = 0; at < input.length + DELAY; at += FRAME) {
        frame.fill(0);
        const chunk = input.subarray(at, at + FRAME);
        for (let i = 0; i < chunk.length; i++) frame[i] = chunk[i] * 32768;
        module.HEAPF32.set(frame, pointer >> 2);
        module._rnnoise_process_frame(state, pointer, pointer);
        const out = module.HEAPF32.subarray(pointer >> 2, (pointer >> 2) + FRAME);
        const to = at - DELAY;
        for (let i = 0; i < FRAME; i++) if (to + i >= 0 && to + i < output.length) output[to + i] = out[i] / 32768;
      }
    } finally {
      module._free(pointer);
      module._rnnoise_destroy(state);
    }
    return resample(output, RATE, sampleRate).subarray(0, samples.length);
  }
}
