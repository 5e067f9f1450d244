import { describe, expect, it } from 'vitest';
import { DEFAULT_STREAM_CONFIG, MAX_ALTERNATIVES, parseStreamConfig } from '../../src/ws/voice-config.js';

const parse = (raw: unknown, canSpeak = false) => parseStreamConfig(raw, DEFAULT_STREAM_CONFIG, { canSpeak });
const codeOf = (raw: unknown): string | undefined => {
  try {
    parse(raw);
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
};

describe('voice stream config', () => {
  it("defaults to vosk-server's: 8 kHz, word times on, one result", () => {
    expect(DEFAULT_STREAM_CONFIG).toMatchObject({ sampleRate: 8_000, words: true, maxAlternatives: 0, phraseGrammar: null, tts: false });
    expect(parse({})).toEqual(DEFAULT_STREAM_CONFIG);
  });

  it('takes what vosk clients send: float rates, 0/1 flags, unknown fields', () => {
    expect(parse({ sample_rate: 16000.0, words: 0, model: 'en', max_alternatives: 0 })).toMatchObject({ sampleRate: 16_000, words: false });
    expect(parse({ words: 1 }).words).toBe(true);
    expect(parse({ words: false }).words).toBe(false);
  });

  it('accepts any max_alternatives, capped without a word', () => {
    expect(parse({ max_alternatives: 20 }).maxAlternatives).toBe(MAX_ALTERNATIVES);
    expect(parse({ max_alternatives: 3 }).maxAlternatives).toBe(3);
    expect(parse({ max_alternatives: 2.7 }).maxAlternatives).toBe(2);
    expect(parse({ max_alternatives: -1 }).maxAlternatives).toBe(0);
    expect(parse({ max_alternatives: 1e9 }).maxAlternatives).toBe(MAX_ALTERNATIVES);
  });

  it('keeps fields left out', () => {
    const first = parse({ sample_rate: 16_000, words: false });
    expect(parseStreamConfig({ max_alternatives: 2 }, first, { canSpeak: false })).toMatchObject({ sampleRate: 16_000, words: false, maxAlternatives: 2 });
  });

  it('builds the phrase grammar at config time', () => {
    expect(parse({ phrase_list: ['zero one two', 'three'] }).phraseGrammar?.words).toEqual(['one', 'three', 'two', 'zero']);
    expect(parse({ phrase_list: [] }).phraseGrammar).toBeNull();
  });

  it('refuses what it cannot read, by field, with the catalog codes', () => {
    expect(codeOf([16000])).toBe('HM_ERR_VOICE_PROTOCOL');
    expect(codeOf(null)).toBe('HM_ERR_VOICE_PROTOCOL');
    expect(codeOf({ sample_rate: '16000' })).toBe('HM_ERR_VOICE_PROTOCOL');
    expect(codeOf({ sample_rate: 12_345 })).toBe('HM_ERR_VOICE_AUDIO');
    expect(codeOf({ words: 'false' })).toBe('HM_ERR_VOICE_PROTOCOL');
    expect(codeOf({ max_alternatives: '2' })).toBe('HM_ERR_VOICE_PROTOCOL');
    expect(codeOf({ phrase_list: 'buy' })).toBe('HM_ERR_VOICE_PROTOCOL');
    expect(codeOf({ phrase_list: ['x'.repeat(201)] })).toBe('HM_ERR_VOICE_PROTOCOL');
    expect(codeOf({ phrase_list: ['?!'] })).toBe('HM_ERR_VOICE_PROTOCOL');
    expect(codeOf({ tts: true })).toBe('HM_ERR_VOICE_UNAVAILABLE');
    expect(() => parse({ words: [] })).toThrow('words must be true or false');
    expect(() => parse({ tts: 'yes' })).toThrow('tts must be true or false');
    expect(() => parse([16000])).toThrow('config must be an object');
    expect(() => parse({ sample_rate: '16000' })).toThrow('sample_rate must be a number');
    expect(() => parse({ phrase_list: ['ok', 'x'.repeat(201)] })).toThrow(/^phrase_list must be a list/);
    expect(parse({ tts: true }, true).tts).toBe(true);
  });
});
