import { describe, expect, it } from 'vitest';
import { mixAtBenchmarkSnr, noiseGain, noiseOffset, peakFrameEnergy } from '../../bench/real-speech/mix.js';
import { evenSubset, judge, parseLabels, tally } from '../../bench/real-speech/score.js';

describe('the benchmark noise mix', () => {
  // A speech-like signal (quiet start, loud rest) and a sawtooth noise, in whole and partial frames.
  const speech = Float64Array.from({ length: 5000 }, (_, i) => Math.sin(i * 0.01) * 0.3 * (i >= 2048 ? 1 : 0.2));
  const noise = Float64Array.from({ length: 9000 }, (_, j) => ((j * 7919) % 1000) / 1000 - 0.5);

  it('gives what the benchmark\'s mix.py gives for the same segment (values computed with its numpy code)', () => {
    const mixed = mixAtBenchmarkSnr(speech, noise, 9, 100);
    expect(mixed.length).toBe(5000);
    expect(mixed.reduce((s, v) => s + v, 0)).toBe(-950426);
    expect([0, 1, 777, 2048, 4999].map((i) => mixed[i])).toEqual([3970, 3189, 6881, 6600, 1656]);
    expect(Math.max(...mixed.map(Math.abs))).toBe(16383);
  });

  it('measures the loudest whole 2048-sample frame, or everything when shorter', () => {
    const x = new Float64Array(4096 + 100).fill(0.1);
    x.fill(0.5, 2048, 4096);
    expect(peakFrameEnergy(x)).toBeCloseTo(2048 * 0.25, 6);
    expect(peakFrameEnergy(Float64Array.of(0.5, 0.5))).toBeCloseTo(0.5, 9);
  });

  it('scales the noise so that the loudest frames differ by the SNR', () => {
    const segment = noise.subarray(100, 5100);
    for (const snr of [6, 12, 24]) {
      const gain = noiseGain(speech, segment, snr);
      const ratioDb = 10 * Math.log10(peakFrameEnergy(speech) / peakFrameEnergy(segment.map((v) => v * gain)));
      expect(ratioDb).toBeCloseTo(snr, 9);
    }
    expect(noiseGain(speech, segment, 6) / noiseGain(speech, segment, 12)).toBeCloseTo(10 ** (6 / 20), 9);
  });

  it('draws a noise offset per recording that fits and does not depend on the subset or the SNR', () => {
    const a = noiseOffset('a.wav', 1000, 50_000, 1234);
    expect(a).toBe(noiseOffset('a.wav', 1000, 50_000, 1234));
    expect(a).toBeGreaterThanOrEqual(0);
    expect(a).toBeLessThan(49_000);
    expect(noiseOffset('b.wav', 1000, 50_000, 1234)).not.toBe(a);
    expect(noiseOffset('a.wav', 1000, 50_000, 7)).not.toBe(a);
    expect(() => noiseOffset('long.wav', 60_000, 50_000, 1)).toThrow(/not longer/);
  });
});

describe('scoring a command against its label', () => {
  const label = { intent: 'orderDrink', slots: { coffeeDrink: 'iced mocha', milkAmount: ' soy milk', size: 'Eight Ounce' } };

  it('is right when the intent and every slot match, ignoring case and spaces', () => {
    expect(judge(label, 'orderDrink', { size: 'eight ounce', milkAmount: 'soy milk', coffeeDrink: 'iced  mocha' })).toBe('right');
  });

  it('is wrong with a missing, an extra or a different slot, or another intent; rejected without an intent', () => {
    expect(judge(label, 'orderDrink', { size: 'eight ounce', coffeeDrink: 'iced mocha' })).toBe('wrong');
    expect(judge(label, 'orderDrink', { size: 'eight ounce', milkAmount: 'soy milk', coffeeDrink: 'iced mocha', roast: 'dark roast' })).toBe('wrong');
    expect(judge(label, 'orderDrink', { size: 'twelve ounce', milkAmount: 'soy milk', coffeeDrink: 'iced mocha' })).toBe('wrong');
    expect(judge(label, 'orderTea', { size: 'eight ounce', milkAmount: 'soy milk', coffeeDrink: 'iced mocha' })).toBe('wrong');
    expect(judge(label, null, {})).toBe('rejected');
    expect(tally(['right', 'wrong', 'rejected', 'right'])).toEqual({ n: 4, right: 2, wrong: 1, rejected: 1 });
  });

  it('reads labels.json and refuses an entry without intent and slots', () => {
    expect(parseLabels('{"x.wav": {"intent": "a", "slots": {"s": "v"}}}').get('x.wav')).toEqual({ intent: 'a', slots: { s: 'v' } });
    expect(() => parseLabels('{"x.wav": {"slots": {}}}')).toThrow(/x\.wav/);
  });

  it('picks the quick subset evenly over the sorted names, the same every time', () => {
    const names = Array.from({ length: 207 }, (_, i) => `f${String(206 - i).padStart(3, '0')}.wav`);
    const pick = evenSubset(names, 50);
    expect(pick).toHaveLength(50);
    expect(new Set(pick).size).toBe(50);
    expect(pick[0]).toBe('f000.wav');
    expect(pick.at(-1)! >= 'f200.wav').toBe(true);
    expect(evenSubset([...names].reverse(), 50)).toEqual(pick);
    expect(evenSubset(names.slice(0, 3), 50)).toEqual(['f204.wav', 'f205.wav', 'f206.wav']);
  });
});
