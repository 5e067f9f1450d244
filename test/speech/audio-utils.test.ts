import { describe, expect, it } from 'vitest';
import { isSpeechError } from '../../src/speech/errors.js';
import { Resampler, resample } from '../../src/speech/resample.js';
import { parseWav, writeWav } from '../../src/speech/wav.js';
import { rms, tone } from '../helpers/audio.js';

/** Amplitude of `freq` in a signal (single-bin DFT, Hann-windowed, amplitude-corrected). */
function amplitudeAt(signal: Float32Array, freq: number, rate: number): number {
  let re = 0;
  let im = 0;
  let wsum = 0;
  for (let i = 0; i < signal.length; i++) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (signal.length - 1));
    re += w * signal[i] * Math.cos((2 * Math.PI * freq * i) / rate);
    im -= w * signal[i] * Math.sin((2 * Math.PI * freq * i) / rate);
    wsum += w;
  }
  return (2 * Math.hypot(re, im)) / wsum;
}

function zeroCrossingFrequency(signal: Float32Array, rate: number): number {
  let crossings = 0;
  for (let i = 1; i < signal.length; i++) if (signal[i - 1] < 0 && signal[i] >= 0) crossings++;
  return (crossings * rate) / signal.length;
}

describe('WAV', () => {
  it('round-trips mono 16-bit PCM at any rate', () => {
    const samples = Int16Array.from({ length: 441 }, (_, i) => (i * 97) % 30000 - 15000);
    const wav = parseWav(writeWav(samples, 44_100));
    expect(wav.sampleRate).toBe(44_100);
    expect(wav.channels).toBe(1);
    expect([...wav.samples]).toEqual([...samples]);
  });

  it('mixes stereo down to mono and skips unknown chunks', () => {
    const mono = writeWav(new Int16Array(4), 8000);
    const bytes = new Uint8Array(44 + 12 + 16);
    bytes.set(mono.subarray(0, 36), 0);
    const view = new DataView(bytes.buffer);
    view.setUint16(22, 2, true); // channels
    view.setUint16(32, 4, true); // block align
    bytes.set([0x4c, 0x49, 0x53, 0x54], 36); // "LIST" chunk, 4 bytes
    view.setUint32(40, 4, true);
    bytes.set([0x64, 0x61, 0x74, 0x61], 48); // "data"
    view.setUint32(52, 16, true);
    const frames = [[1000, 3000], [-2000, -4000], [32767, 32767], [0, 1]];
    frames.forEach(([l, r], i) => {
      view.setInt16(56 + i * 4, l, true);
      view.setInt16(58 + i * 4, r, true);
    });
    const wav = parseWav(bytes);
    expect(wav.channels).toBe(2);
    expect([...wav.samples]).toEqual([2000, -3000, 32767, 1]);
  });

  it.each([
    ['not RIFF', new TextEncoder().encode('ID3 this is an mp3 file'), /not a RIFF\/WAVE file/],
    ['too short', new Uint8Array(4), /too short/],
    ['8-bit', (() => { const b = writeWav(new Int16Array(2), 8000); new DataView(b.buffer).setUint16(34, 8, true); return b; })(), /only 16-bit/],
    ['float', (() => { const b = writeWav(new Int16Array(2), 8000); new DataView(b.buffer).setUint16(20, 3, true); return b; })(), /only integer PCM/],
    ['no data', writeWav(new Int16Array(2), 8000).subarray(0, 36), /no data chunk/],
  ])('rejects %s with a clear, coded error', (_name, bytes, message) => {
    let caught: unknown;
    try {
      parseWav(bytes);
    } catch (error) {
      caught = error;
    }
    expect(isSpeechError(caught)).toBe(true);
    expect((caught as Error).message).toMatch(message);
    expect((caught as { code: string }).code).toBe('HM_ERR_SPEECH_WAV_INVALID');
  });
});

describe('resampler', () => {
  it('keeps a 1 kHz tone at 1 kHz and its amplitude when going 48 kHz → 16 kHz', () => {
    const out = resample(tone(1000, 1, 48_000, 0.5), 48_000, 16_000);
    expect(out.length).toBe(16_000);
    const middle = out.subarray(1000, 15_000);
    expect(zeroCrossingFrequency(middle, 16_000)).toBeCloseTo(1000, -1);
    expect(amplitudeAt(middle, 1000, 16_000)).toBeCloseTo(0.5, 2);
  });

  it('does not alias a 7 kHz tone into the band when going to 8 kHz', () => {
    const out = resample(tone(7000, 1, 48_000, 0.5), 48_000, 8000);
    // 7 kHz would fold to 1 kHz; the filter must remove it (> 60 dB down).
    expect(rms(out.subarray(500, 7500)) / (0.5 / Math.SQRT2)).toBeLessThan(1e-3);
  });

  it.each([8000, 22_050, 44_100, 48_000])('converts %i Hz to 16 kHz keeping a 440 Hz tone', (rate) => {
    const out = resample(tone(440, 0.5, rate, 0.3), rate, 16_000);
    expect(Math.abs(out.length - 8000)).toBeLessThanOrEqual(1);
    expect(amplitudeAt(out.subarray(500, 7500), 440, 16_000)).toBeCloseTo(0.3, 2);
  });

  it('streams: chunked input gives the same output as one call', () => {
    const input = tone(1234, 0.3, 44_100, 0.4);
    const whole = resample(input, 44_100, 16_000);
    const streaming = new Resampler(44_100, 16_000);
    const parts: number[] = [];
    for (let i = 0; i < input.length; i += 777) parts.push(...streaming.process(input.subarray(i, i + 777)));
    parts.push(...streaming.flush());
    expect(parts.length).toBe(whole.length);
    for (let i = 0; i < whole.length; i++) expect(parts[i]).toBeCloseTo(whole[i], 5);
  });

  it('streams in chunks shorter than its filter, up and down, to the same samples', () => {
    for (const [from, to] of [[16_000, 48_000], [48_000, 16_000]] as const) {
      const input = tone(440, 0.1, from, 0.5);
      const whole = resample(input, from, to);
      const streaming = new Resampler(from, to);
      const parts: number[] = [];
      // 1 to 7 samples at a time, far fewer than the filter's taps: each call sees a sliver of a window.
      for (let i = 0, n = 1; i < input.length; i += n, n = (n % 7) + 1) parts.push(...streaming.process(input.subarray(i, i + n)));
      parts.push(...streaming.flush());
      expect(parts).toEqual(Array.from(whole));
    }
  });
});
