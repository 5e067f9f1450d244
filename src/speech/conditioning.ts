/**
 * Input conditioning in front of the decoder, one per stream.
 *
 * The acoustic models were trained on recordings with a steady noise floor and a typical speech
 * level, and their cepstral mean normalisation starts every stream from a fixed prior (`cmninit`)
 * that live CMN only corrects at the end of each utterance. Two kinds of input fall outside that:
 *  - loud or quiet clients: the loudness lands in c0, so the whole first utterance is decoded
 *    with a mean that is off by the level difference (the bundled 8 kHz model lost most clean
 *    commands to this);
 *  - (near-)digital silence (synthesized audio, gated microphones, browser noise suppression):
 *    frames no model state was trained on, so the search ends outside the grammar's final state.
 * So: a level normaliser (fast attack, slow release, a little look-ahead: each chunk's own peak
 * counts before its gain is applied) brings speech to a fixed level, and a deterministic noise
 * floor far below that level makes silent frames look like a quiet room.
 */

export interface ConditionerOptions {
  readonly sampleRate: number;
  /** Level the loudest 20 ms speech frames are brought to, dBFS. Default −26. */
  readonly targetPeakDb?: number;
  /** Noise floor added, this many dB under the target peak. Default 35. 0 disables. */
  readonly floorBelowPeakDb?: number;
  /** Gain limits, dB. Default −30 … +20. */
  readonly minGainDb?: number;
  readonly maxGainDb?: number;
  /** How fast the peak estimate falls when speech gets quieter, dB per second. Default 3. */
  readonly releaseDbPerSecond?: number;
  /** Seed of the noise floor (deterministic output for the same input). */
  readonly seed?: number;
}

const dbToAmp = (db: number): number => 10 ** (db / 20);

export class InputConditioner {
  readonly #frame: number;
  readonly #target: number;
  readonly #floorRms: number;
  readonly #minGain: number;
  readonly #maxGain: number;
  readonly #releasePerFrame: number;
  /** Peak 20 ms RMS seen (decaying); starts at the target (unit gain until speech says otherwise). */
  #peak: number;
  #gain = 1;
  #seed: number;
  /** Slow minimum tracker of 20 ms levels (null before the first frame). */
  #noiseLevel: number | null = null;

  constructor(options: ConditionerOptions) {
    this.#frame = Math.max(1, Math.round(options.sampleRate * 0.02));
    this.#target = dbToAmp(options.targetPeakDb ?? -26);
    const below = options.floorBelowPeakDb ?? 35;
    this.#floorRms = below > 0 ? this.#target * dbToAmp(-below) : 0;
    this.#minGain = dbToAmp(options.minGainDb ?? -30);
    this.#maxGain = dbToAmp(options.maxGainDb ?? 20);
    this.#releasePerFrame = dbToAmp(-(options.releaseDbPerSecond ?? 3) * 0.02);
    this.#peak = this.#target;
    this.#seed = (options.seed ?? 0x9e3779b9) >>> 0;
  }

  /** The gain currently applied (for logs and tests). */
  get gain(): number {
    return this.#gain;
  }

  /** Conditions one chunk: 16-bit PCM in, floats in [-1, 1] out (the decoder's input). */
  process(pcm: Int16Array): Float32Array {
    const n = pcm.length;
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = pcm[i] / 32768;
    // Look-ahead of one chunk: its loudest frame raises the peak before the gain is chosen.
    let chunkPeak = 0;
    let quietest = Infinity;
    for (let start = 0; start < n; start += this.#frame) {
      const end = Math.min(n, start + this.#frame);
      if (end - start < this.#frame / 2) break;
      let sum = 0;
      for (let i = start; i < end; i++) sum += out[i] * out[i];
      const level = Math.sqrt(sum / (end - start));
      chunkPeak = Math.max(chunkPeak, level);
      quietest = Math.min(quietest, level);
    }
    if (Number.isFinite(quietest)) {
      // A slow noise-level estimate: the peak never decays into the room noise.
      this.#noiseLevel = this.#noiseLevel === null || quietest < this.#noiseLevel ? quietest : this.#noiseLevel * 1.02;
      const frames = Math.max(1, Math.round(n / this.#frame));
      const floor = Math.max(this.#noiseLevel * 4, 1e-5);
      if (chunkPeak > this.#peak) this.#peak = chunkPeak;
      else this.#peak = Math.max(floor, Math.min(this.#peak, this.#peak * this.#releasePerFrame ** frames));
    }
    const wanted = Math.min(this.#maxGain, Math.max(this.#minGain, this.#target / Math.max(this.#peak, 1e-9)));
    // Ramp from the previous gain over the chunk (no steps), then add the floor.
    const from = this.#gain;
    const step = n > 0 ? (wanted - from) / n : 0;
    let seed = this.#seed;
    const floor = this.#floorRms * Math.sqrt(3);
    for (let i = 0; i < n; i++) {
      let v = out[i] * (from + step * (i + 1));
      if (floor > 0) {
        seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
        v += floor * ((seed / 4294967296) * 2 - 1);
      }
      out[i] = v > 1 ? 1 : v < -1 ? -1 : v;
    }
    this.#seed = seed;
    this.#gain = wanted;
    return out;
  }
}

/**
 * How far an utterance's loud frames stand above its quiet ones: the 90th over the 10th percentile
 * of its 20 ms levels, dB. A rough SNR (the quiet frames are the room between words): conditioned
 * clean speech spreads 28–35 dB, speech in noise at 20 dB SNR 13–21 dB (bench/speech.ts voices).
 */
export class LevelSpread {
  readonly #frame: number;
  #levels: number[] = [];
  /** `#levels` sorted, made when first asked for after a push (the session asks on every chunk). */
  #sorted: number[] | null = null;
  #sum = 0;
  #filled = 0;

  constructor(sampleRate: number) {
    this.#frame = Math.max(1, Math.round(sampleRate * 0.02));
  }

  push(samples: Float32Array): void {
    for (let i = 0; i < samples.length; i++) {
      this.#sum += samples[i] * samples[i];
      if (++this.#filled === this.#frame) {
        this.#levels.push(Math.sqrt(this.#sum / this.#frame) + 1e-9);
        this.#sorted = null;
        this.#sum = 0;
        this.#filled = 0;
      }
    }
  }

  /** The spread so far (0 with fewer than ten frames); `reset` starts the next utterance. */
  spreadDb(): number {
    return this.#over(0.9);
  }

  /** The loudest frame over the quiet ones (10th percentile), dB: speech has begun when it stands well out. */
  peakDb(): number {
    return this.#over(1);
  }

  #over(q: number): number {
    if (this.#levels.length < 10) return 0;
    const sorted = (this.#sorted ??= [...this.#levels].sort((a, b) => a - b));
    const at = (p: number): number => sorted[Math.floor(p * (sorted.length - 1))];
    return 20 * Math.log10(at(q) / at(0.1));
  }

  reset(): void {
    this.#levels = [];
    this.#sorted = null;
    this.#sum = 0;
    this.#filled = 0;
  }
}
