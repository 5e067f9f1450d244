import { describe, expect, it } from 'vitest';
import type { Transcript } from '../../src/contracts.js';
import { voskFinal } from '../../src/ws/vosk-result.js';

const heard: Transcript = {
  text: 'what is my balance',
  source: 'voice',
  confidence: 0.9,
  engine: 'test',
  words: [
    { word: 'what', start: 0.3, end: 0.5, conf: 0.95 },
    { word: 'is', start: 0.5, end: 0.6, conf: 0.9 },
    { word: 'my', start: 0.6, end: 0.75, conf: 0.9 },
    { word: 'balance', start: 0.75, end: 1.2, conf: 0.85 },
  ],
  alternatives: [{ text: 'what is my balance', confidence: 0.9 }, { text: 'what is my band', confidence: 0.4 }],
};
const rejected: Transcript = { text: '', source: 'voice', confidence: 0.3, engine: 'test', words: [], alternatives: [{ text: 'buy it', confidence: 0.3 }] };

describe('vosk-shaped final results', () => {
  it('gives text and word times (word, start, end, conf) when words are on', () => {
    expect(voskFinal(heard, { words: true, maxAlternatives: 0 })).toEqual({ text: heard.text, result: heard.words });
    expect(voskFinal(heard, { words: false, maxAlternatives: 0 })).toEqual({ text: heard.text });
  });

  it('leaves the word list out of an empty result, as vosk does', () => {
    expect(voskFinal(rejected, { words: true, maxAlternatives: 0 })).toEqual({ text: '' });
  });

  it('counts word times from the start of the connection audio', () => {
    const frame = voskFinal(heard, { words: true, maxAlternatives: 0 }, 4.2) as { result: { start: number; end: number }[] };
    expect(frame.result.map((w) => [w.start, w.end])).toEqual([[4.5, 4.7], [4.7, 4.8], [4.8, 4.95], [4.95, 5.4]]);
  });

  it('gives alternatives best first, capped, the best with its words', () => {
    expect(voskFinal(heard, { words: true, maxAlternatives: 10 })).toEqual({
      alternatives: [{ text: heard.text, confidence: 0.9, result: heard.words }, { text: 'what is my band', confidence: 0.4 }],
      text: heard.text,
    });
    expect(voskFinal(heard, { words: false, maxAlternatives: 1 })).toEqual({ alternatives: [{ text: heard.text, confidence: 0.9 }], text: heard.text });
  });

  it('never offers a rejected hypothesis as an alternative', () => {
    expect(voskFinal(rejected, { words: true, maxAlternatives: 5 })).toEqual({ alternatives: [{ text: '', confidence: 0 }], text: '' });
  });
});
