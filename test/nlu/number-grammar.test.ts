import { describe, expect, it } from 'vitest';
import { expand } from '../../src/nlu/expand.js';
import { rangeExpression } from '../../src/nlu/number-grammar.js';
import { numberToWords, parseNumberWords } from '../../src/nlu/numbers.js';

const range = (from: number, to: number, step = 1) => ({ kind: 'range', from, to, step, location: { file: 'test', line: 1 } }) as const;

/** Every sentence of the range's expression. */
const spoken = (from: number, to: number, step = 1): string[] => [...expand(rangeExpression(range(from, to, step)), {}, () => [])].map((e) => e.words.join(' '));

describe('number ranges as expressions', () => {
  it('say every value of the range, as numberToWords spells it, and nothing outside it', () => {
    for (const [from, to, step] of [[1, 5, 1], [0, 120, 1], [37, 1234, 1], [1, 2500, 1], [990, 1010, 1], [10, 1000, 5]]) {
      const sentences = spoken(from, to, step);
      const heard = new Set<number>();
      for (const s of sentences) {
        const words = s.split(' ');
        const parsed = parseNumberWords(words, 0);
        expect(parsed?.length, s).toBe(words.length);
        const value = parsed!.value;
        expect(value >= from && value <= to && (value - from) % step === 0, `${s} = ${value} in ${from}…${to}`).toBe(true);
        heard.add(value);
      }
      const forms = new Set(sentences);
      for (let v = from; v <= to; v += step) expect(forms.has(numberToWords(v)), numberToWords(v)).toBe(true);
      expect(heard.size).toBe(Math.floor((to - from) / step) + 1);
    }
  });

  it('take the spoken variants parseNumberWords reads', () => {
    const sentences = new Set(spoken(1, 2500));
    for (const s of ['a hundred', 'a hundred and five', 'two thousand and fifty', 'a thousand', 'one thousand two hundred and one']) expect(sentences.has(s), s).toBe(true);
    for (const s of ['two thousand five hundred one', 'and five', 'a five', 'zero']) expect(sentences.has(s), s).toBe(false);
  });

  it('stop below a million, where spoken numbers stop', () => {
    const sentences = spoken(999_990, 2_000_000);
    expect(sentences).toContain('nine hundred ninety nine thousand nine hundred ninety nine');
    expect(sentences.every((s) => !s.includes('million'))).toBe(true);
  });

  it('stay small for long ranges: whole hundreds and thousands share one tail', () => {
    expect(JSON.stringify(rangeExpression(range(1, 100_000))).length).toBeLessThan(60_000);
  });
});
