import { beforeAll, describe, expect, it } from 'vitest';
import { Denoiser } from '../../src/speech/denoise.js';
import { concatSamples } from '../../src/speech/pcm.js';
import { ESPEAK_MISSING, hasEspeak, makeNoise, mixAtSnr, synthesize } from '../helpers/audio.js';
import { skipWithout } from '../helpers/skip.js';

const RATE = 16_000;
const rms = (x: Float32Array): number => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / Math.max(1, x.length));
const minus = (a: Float32Array, b: Float32Array): Float32Array => a.map((v, i) => v - b[i]);

describe.skipIf(skipWithout(!hasEspeak && ESPEAK_MISSING))(`noise suppression before the final pass${hasEspeak ? '' : ` — ${ESPEAK_MISSING}`}`, () => {
  let denoiser: Denoiser;
  let clean: Float32Array;
  beforeAll(async () => {
    denoiser = await Denoiser.create();
    clean = synthesize('buy the neon dragon chip', { sampleRate: RATE });
  });

  it('brings noisy speech nearer to the clean speech, for steady and changing noise', () => {
    for (const kind of ['fan', 'pink', 'kitchen'] as const) {
      const noisy = mixAtSnr(clean, makeNoise(kind, clean.length, RATE, 5), 10, RATE);
      const denoised = denoiser.denoise(noisy, RATE);
      expect(denoised.length).toBe(noisy.length);
      // The error left against the clean speech: noise removed, speech kept.
      expect(rms(minus(denoised, clean)), kind).toBeLessThan(0.8 * rms(minus(noisy, clean)));
    }
  });

  it('keeps speech where it was (the network delay is taken out) and at its level', () => {
    const out = denoiser.denoise(clean, RATE);
    const correlation = (lag: number): number => {
      let sum = 0;
      for (let i = 400; i < clean.length - 400; i++) sum += clean[i] * out[i + lag];
      return sum;
    };
    for (const lag of [-160, -80, 80, 160]) expect(correlation(0)).toBeGreaterThan(correlation(lag));
    expect(rms(out) / rms(clean)).toBeGreaterThan(0.7);
    expect(rms(out) / rms(clean)).toBeLessThan(1.3);
  });

  it('streams: chunk by chunk it gives what it gives for the whole signal', () => {
    const noisy = mixAtSnr(clean, makeNoise('fan', clean.length, RATE, 9), 10, RATE);
    const stream = denoiser.open(RATE);
    const parts: Float32Array[] = [];
    for (let i = 0; i < noisy.length; i += 1600) parts.push(stream.push(noisy.subarray(i, i + 1600)));
    parts.push(stream.end());
    const streamed = concatSamples(...parts);
    const whole = denoiser.denoise(noisy, RATE);
    expect(streamed.length).toBe(noisy.length);
    expect(rms(minus(streamed, whole))).toBeLessThan(1e-4 * rms(whole));
  });

  it('leaves silence silent and copes with audio shorter than one of its frames', () => {
    expect(rms(denoiser.denoise(new Float32Array(RATE), RATE))).toBeLessThan(1e-3);
    expect(denoiser.denoise(new Float32Array(10), RATE)).toHaveLength(10);
    expect(denoiser.denoise(new Float32Array(0), RATE)).toHaveLength(0);
  });
});
