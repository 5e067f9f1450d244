/**
 * Band-limited sample-rate conversion: a polyphase filter bank built from a Kaiser-windowed sinc
 * (about 80 dB stop-band), cut off just below the lower Nyquist frequency so that nothing above
 * the output band folds back into it. Streaming: feed chunks, then `flush()` for the tail.
 */
import { concatSamples } from './pcm.js';

export interface ResamplerOptions {
  /** Zero crossings of the sinc on each side; more = sharper transition band. Default 16. */
  readonly zeroCrossings?: number;
  /** Pass band as a fraction of the lower Nyquist frequency. Default 0.92. */
  readonly rolloff?: number;
  /** Kaiser window beta. Default 8 (≈ 80 dB stop band). */
  readonly beta?: number;
}

const MAX_PHASES = 4096;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Zeroth-order modified Bessel function of the first kind (series). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 50; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < 1e-12 * sum) break;
  }
  return sum;
}

export class Resampler {
  readonly inputRate: number;
  readonly outputRate: number;
  readonly #up: number;
  readonly #down: number;
  readonly #half: number;
  readonly #phases: number;
  readonly #table: Float32Array;
  #buffer = new Float32Array(0);
  /** Absolute input index of `#buffer[0]`. */
  #bufferStart = 0;
  #inputCount = 0;
  #nextOutput = 0;

  constructor(inputRate: number, outputRate: number, options: ResamplerOptions = {}) {
    if (!(inputRate > 0 && outputRate > 0) || !Number.isInteger(inputRate) || !Number.isInteger(outputRate)) {
      throw new RangeError(`Sample rates must be positive integers (got ${inputRate} → ${outputRate})`);
    }
    this.inputRate = inputRate;
    this.outputRate = outputRate;
    const g = gcd(inputRate, outputRate);
    this.#up = outputRate / g;
    this.#down = inputRate / g;
    const zeroCrossings = options.zeroCrossings ?? 16;
    const rolloff = options.rolloff ?? 0.92;
    const beta = options.beta ?? 8;
    // Cut-off in cycles per input sample.
    const cutoff = 0.5 * Math.min(1, this.#up / this.#down) * rolloff;
    this.#half = Math.ceil(zeroCrossings / (2 * cutoff));
    this.#phases = Math.min(this.#up, MAX_PHASES);
    const taps = 2 * this.#half;
    this.#table = new Float32Array(this.#phases * taps);
    const i0beta = besselI0(beta);
    for (let p = 0; p < this.#phases; p++) {
      const frac = p / this.#phases;
      let sum = 0;
      for (let k = 0; k < taps; k++) {
        const x = k - this.#half + 1 - frac;
        const r = x / this.#half;
        const window = Math.abs(r) >= 1 ? 0 : besselI0(beta * Math.sqrt(1 - r * r)) / i0beta;
        const arg = 2 * cutoff * x;
        const sinc = arg === 0 ? 1 : Math.sin(Math.PI * arg) / (Math.PI * arg);
        const h = 2 * cutoff * sinc * window;
        this.#table[p * taps + k] = h;
        sum += h;
      }
      // Unity DC gain for every phase (no ripple from phase to phase).
      for (let k = 0; k < taps; k++) this.#table[p * taps + k] /= sum;
    }
  }

  /** Feeds input samples; returns every output sample that can be computed so far. */
  process(input: Float32Array): Float32Array {
    this.#append(input);
    return this.#drain(false);
  }

  /** Ends the stream: returns the remaining output (the filter's tail), then resets. */
  flush(): Float32Array {
    const out = this.#drain(true);
    this.reset();
    return out;
  }

  reset(): void {
    this.#buffer = new Float32Array(0);
    this.#bufferStart = 0;
    this.#inputCount = 0;
    this.#nextOutput = 0;
  }

  #append(input: Float32Array): void {
    const merged = new Float32Array(this.#buffer.length + input.length);
    merged.set(this.#buffer, 0);
    merged.set(input, this.#buffer.length);
    this.#buffer = merged;
    this.#inputCount += input.length;
  }

  #drain(final: boolean): Float32Array {
    const up = this.#up;
    const down = this.#down;
    const half = this.#half;
    const taps = 2 * half;
    const total = final ? Math.ceil((this.#inputCount * up) / down) : Infinity;
    const buffer = this.#buffer;
    const table = this.#table;
    // Room for every output this call can make: none lies past the input's end (a flush's tail included).
    const room = Math.max(0, Math.ceil(((this.#inputCount + half) * up) / down) + 1 - this.#nextOutput);
    const out = new Float32Array(room);
    let count = 0;
    for (;;) {
      const n = this.#nextOutput;
      if (n >= total || count === room) break;
      const position = n * down;
      const base = Math.floor(position / up);
      if (!final && base + half >= this.#inputCount) break;
      const phase = up === this.#phases ? position % up : Math.floor(((position % up) / up) * this.#phases);
      const row = phase * taps;
      // Taps whose input sample exists: the loop runs over them only (the others add nothing).
      const offset = base - half + 1 - this.#bufferStart;
      const from = Math.max(0, -offset);
      const to = Math.min(taps, buffer.length - offset);
      let acc = 0;
      for (let k = from; k < to; k++) acc += buffer[offset + k] * table[row + k];
      out[count++] = acc;
      this.#nextOutput = n + 1;
    }
    // Keep only the history the next output needs.
    const keepFrom = Math.floor((this.#nextOutput * down) / up) - half + 1;
    const drop = Math.min(Math.max(0, keepFrom - this.#bufferStart), this.#buffer.length);
    if (drop > 0) {
      this.#buffer = this.#buffer.slice(drop);
      this.#bufferStart += drop;
    }
    return out.slice(0, count);
  }
}

/** Resamples a whole signal (same length relation as the streaming form, no delay). */
export function resample(samples: Float32Array, inputRate: number, outputRate: number, options?: ResamplerOptions): Float32Array {
  if (inputRate === outputRate) return samples.slice();
  const resampler = new Resampler(inputRate, outputRate, options);
  return concatSamples(resampler.process(samples), resampler.flush());
}
