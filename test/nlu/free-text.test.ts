import { describe, expect, it } from 'vitest';
import { compileIntents, createIntentEngine, parseIntentsYaml, sampleSentences, TemplateError } from '../../src/nlu/index.js';

const yaml = (freeText: string) => `
language: en
lists:
  group:
    wildcard: true
  message:
    wildcard: true
${freeText}
intents:
  Post:
    data:
      - sentences:
          - "post to {group} saying {message}"
          - "post {message} to {group}"
`;

const set = compileIntents([parseIntentsYaml(yaml(`    free_text:
      max_words: 6
      spoken: ["hello everyone", "see you friday"]`), 'free.yaml')]);
const engine = createIntentEngine(set);
const lists = { group: ['Neon Nights'] };

describe('free-text lists', () => {
  it('take any words, as said, up to max_words', () => {
    const u = engine.recognize('post to Neon Nights saying the Glitch drop is LIVE', lists);
    expect(u).toMatchObject({ intent: 'Post', slots: { group: 'Neon Nights', message: 'the Glitch drop is LIVE' } });
    expect(u.confidence).toBeLessThan(1);
    // In the middle of a sentence too: the words around it are the template's.
    expect(engine.recognize('post meet at noon to Neon Nights', lists).slots).toEqual({ message: 'meet at noon', group: 'Neon Nights' });
    const long = engine.recognize('post to Neon Nights saying alpha beta gamma delta epsilon zeta eta theta iota kappa', lists);
    expect(long.intent === null || String(long.slots.message).split(' ').length <= 6).toBe(true);
    // Nothing said after "saying": at best a weak guess (a post is read back before it is published).
    expect(engine.recognize('post to Neon Nights saying', lists).confidence).toBeLessThanOrEqual(0.5);
  });

  it('match their spoken phrases exactly (confidence 1), and only those are sampled for speech', () => {
    expect(engine.recognize('post to Neon Nights saying see you Friday', lists)).toMatchObject({ confidence: 1, slots: { message: 'see you Friday' } });
    const sampled = sampleSentences(set, lists, { limit: 50 }).map((s) => s.text);
    expect(sampled).toContain('post to neon nights saying hello everyone');
    expect(sampled.every((s) => /hello everyone|see you friday/.test(s))).toBe(true);
  });

  it('are checked when the templates load', () => {
    expect(() => parseIntentsYaml(yaml(`    free_text:
      max_words: 0`), 'bad.yaml')).toThrow(TemplateError);
    expect(() => parseIntentsYaml(yaml(`    free_text:
      max_words: 5
      spoken: "not a list"`), 'bad.yaml')).toThrow(TemplateError);
  });
});
