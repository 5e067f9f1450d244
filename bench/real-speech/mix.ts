import { createHash } from 'node:crypto';

/**
 * Noise mixed the way the speech-to-intent benchmark mixes it (its `mix.py`): a noise segment as
 * long as the speech, taken at a seeded random offset, is scaled so that the ratio of the loudest
 * 2048-sample frame energy of the speech to that of the noise segment is the SNR; the mixture is
 * then scaled to a peak of 0.5 and written as 16-bit PCM (truncated, as numpy's `astype` does).
 */

const FRAME = 2048;

/** Largest energy (sum of squares) of the whole 2048-sample frames; of everything when shorter than one frame. */
export function peakFrameEnergy(x: Float64Array, frame = FRAME): number {
  const frames = Math.floor(x.length / frame);
  if (frames === 0) return x.reduce((sum, v) => sum + v * v, 0);
  let peak = 0;
  for (let f = 0; f < frames; f++) {
    let energy = 0;
    for (let i = f * frame; i < (f + 1) * frame; i++) energy += x[i] * x[i];
    peak = Math.max(peak, energy);
  }
  return peak;
}

/** 16-bit PCM as numbers in [-1, 1), double precision like the benchmark's numpy code. */
export function pcmToFloat64(pcm: Int16Array): Float64Array {
  return Float64Array.from(pcm, (v) => v / 32768);
}

/**
 * Where the noise segment for `name` starts: drawn from a hash of the seed and the file name, so a
 * recording gets the same segment at every SNR and in every subset (mix.py draws them in file order
 * from numpy's generator; the segments differ from its, the way of mixing does not).
 */
export function noiseOffset(name: string, speechLength: number, noiseLength: number, seed: number): number {
  const room = noiseLength - speechLength;
  if (room <= 0) throw new Error(`the noise (${noiseLength} samples) is not longer than ${name} (${speechLength} samples)`);
  const draw = createHash('sha256').update(`${seed}/${name}`).digest().readUIntBE(0, 6);
  return draw % room;
}

/** The factor on the noise segment that makes the speech's loudest frame `snrDb` over the noise's loudest frame. */
export function noiseGain(speech: Float64Array, segment: Float64Array, snrDb: number): number {
  return Math.sqrt(peakFrameEnergy(speech) / (peakFrameEnergy(segment) * 10 ** (snrDb / 10)));
}

/** `speech` with `noise` (from `offset` on) at `snrDb`, scaled to a peak of 0.5, as 16-bit PCM. */
export function mixAtBenchmarkSnr(speech: Float64Array, noise: Float64Array, snrDb: number, offset: number): Int16Array {
  return mixWithNoiseTail(speech, noise, snrDb, offset).mixed;
}

/**
 * `mixAtBenchmarkSnr`, and what the microphone hears after the speech: the same noise going on
 * (past the end of the noise file: from its start again) at the same gain and scale.
 */
export function mixWithNoiseTail(speech: Float64Array, noise: Float64Array, snrDb: number, offset: number): { mixed: Int16Array; tail: (samples: number) => Int16Array } {
  const segment = noise.subarray(offset, offset + speech.length);
  if (segment.length < speech.length) throw new Error('the noise segment is shorter than the speech');
  const gain = noiseGain(speech, segment, snrDb);
  const mixed = new Float64Array(speech.length);
  let peak = 0;
  for (let i = 0; i < speech.length; i++) {
    mixed[i] = speech[i] + segment[i] * gain;
    peak = Math.max(peak, Math.abs(mixed[i]));
  }
  const scale = peak > 0 ? 1 / (2 * peak) : 0;
  const tail = (samples: number): Int16Array =>
    Int16Array.from({ length: samples }, (_, i) => Math.trunc(noise[(offset + speech.length + i) % noise.length] * gain * scale * 32767));
  return { mixed: Int16Array.from(mixed, (v) => Math.trunc(v * scale * 32767)), tail };
}
