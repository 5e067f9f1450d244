import { describe, expect, it } from 'vitest';
import { compileIntents, createIntentEngine, numberToWords, parseIntentsYaml, parseNumberWords, sampleSentences } from '../../src/nlu/index.js';
import { LISTS, marketplaceEngine } from './helpers.js';

describe('number words', () => {
  it.each([[0, 'zero'], [5, 'five'], [40, 'forty'], [42, 'forty two'], [100, 'one hundred'], [120, 'one hundred twenty'], [2500, 'two thousand five hundred']])('%i ↔ %s', (n, words) => {
    expect(numberToWords(n)).toBe(words);
    expect(parseNumberWords(words.split(' '), 0)).toEqual({ value: n, length: words.split(' ').length });
  });

  it('reads "a hundred and twenty" and stops at non-number words', () => {
    expect(parseNumberWords('a hundred and twenty credits'.split(' '), 0)).toEqual({ value: 120, length: 4 });
    expect(parseNumberWords('five five'.split(' '), 0)).toEqual({ value: 5, length: 1 });
    expect(parseNumberWords(['stars'], 0)).toBeNull();
  });
});

describe('marketplace matching', () => {
  it('matches templates exactly with confidence 1 and normalised slots', async () => {
    const { engine } = await marketplaceEngine();
    expect(engine.recognize('automatically buy new chips from Nova under 40 credits', LISTS)).toMatchObject({
      intent: 'SetAutoBuy', confidence: 1, slots: { designer: 'Nova', enabled: true, maxPrice: 40 },
    });
    expect(engine.recognize('give Nova five stars', LISTS).slots).toEqual({ designer: 'Nova', rating: 5 });
  });

  it('tolerates fillers, contractions, British spelling, typos and ASR slips', async () => {
    const { engine } = await marketplaceEngine();
    const u = engine.recognize('um, hey holomesh, could you please subscribe me to kenji satoh', LISTS);
    expect(u).toMatchObject({ intent: 'SubscribeDesigner', slots: { designer: 'Kenji Sato' } });
    expect(u.confidence).toBeGreaterThan(0.6);
    expect(u.confidence).toBeLessThan(1);
    expect(engine.recognize("what's new from my favourite designer", LISTS).slots).toEqual({ designer: 'favorite' });
    expect(engine.recognize('buy the neon dragons', LISTS).slots).toEqual({ chip: 'Neon Dragon' });
    expect(engine.recognize('subscirbe to nova', LISTS)).toMatchObject({ intent: 'SubscribeDesigner', slots: { designer: 'Nova' } });
    expect(engine.recognize('rate nova for stars', LISTS).intent).toBe('RateDesigner');
  });

  it('keeps the spoken words of an unknown designer, never buys an unknown chip', async () => {
    const { engine } = await marketplaceEngine();
    expect(engine.recognize('subscribe to Bob Smith', LISTS)).toMatchObject({ intent: 'SubscribeDesigner', slots: { designer: 'Bob Smith' } });
    expect(engine.recognize('buy me a coffee', LISTS).intent).toBeNull();
    // No chip named: the dialog asks which one, it never guesses.
    expect(engine.recognize('buy something', LISTS)).toMatchObject({ intent: 'BuyChip', slots: {} });
  });

  it('understands a chip published after start-up (live lists at recognise time)', async () => {
    const { engine } = await marketplaceEngine();
    expect(engine.recognize('buy the comet tail', LISTS).intent).toBeNull();
    const lists = { ...LISTS, chip: [...LISTS.chip, 'Comet Tail'] };
    expect(engine.recognize('buy the comet tail', lists)).toMatchObject({ intent: 'BuyChip', slots: { chip: 'Comet Tail' } });
  });

  it('puts off-domain sentences below a configurable threshold', async () => {
    const { set, engine } = await marketplaceEngine();
    for (const text of ["what's the weather", 'play some jazz', 'asdf', '']) expect(engine.recognize(text, LISTS).intent).toBeNull();
    const strict = createIntentEngine(set, { threshold: 0.99 });
    expect(strict.recognize('um subscribe to kenji satoh', LISTS).intent).toBeNull();
  });
});

describe('coffee-maker context', () => {
  it('loads its own lists (in/out values, ranges, skip words) and recognises', async () => {
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(new URL('../fixtures/coffee.yaml', import.meta.url), 'utf8');
    const set = compileIntents([parseIntentsYaml(text, 'coffee.yaml')]);
    const engine = createIntentEngine(set);
    expect(engine.recognize('hey barista make me a large latte', {})).toMatchObject({ intent: 'MakeDrink', slots: { size: 'L', drink: 'latte' } });
    expect(engine.recognize('brew two cups of expresso', {})).toMatchObject({ intent: 'MakeDrink', slots: { cups: 2, drink: 'espresso' } });
    expect(engine.recognize('set the strength to seven', {})).toMatchObject({ intent: 'SetStrength', slots: { strength: 7 } });
    expect(engine.recognize('set the strength to eleven', {}).slots).not.toHaveProperty('strength', 11);
    expect(engine.recognize('run a descaling cycle', {})).toMatchObject({ intent: 'Descale', slots: { mode: 'full' } });
    expect(engine.recognize('subscribe to Nova', {}).intent).toBeNull();
    const samples = sampleSentences(set, {}, { limit: 50 });
    expect(samples.length).toBeGreaterThan(20);
    for (const s of samples) expect(engine.recognize(s.text, {}), s.text).toMatchObject({ intent: s.intent, slots: s.slots });
  });
});
