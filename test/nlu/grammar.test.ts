import { describe, expect, it } from 'vitest';
import { buildGrammar, sampleSentences } from '../../src/nlu/index.js';
import { LISTS, marketplaceEngine } from './helpers.js';

describe('sampling and grammar export', () => {
  it('samples every intent, numbers spelled out, with slot values', async () => {
    const { set } = await marketplaceEngine();
    const samples = sampleSentences(set, LISTS, { limit: 20 });
    expect(new Set(samples.map((s) => s.intent)).size).toBe(set.intents.length);
    expect(samples.every((s) => !/\d/.test(s.text) && s.text === s.text.toLowerCase())).toBe(true);
    expect(sampleSentences(set, LISTS, { limit: 5, intents: ['Help'] })).toHaveLength(5);
  });

  it('builds a JSGF grammar with a public <command> rule, lower-case words and a stable version', async () => {
    const { set } = await marketplaceEngine();
    const grammar = buildGrammar(set, LISTS);
    expect(grammar.jsgf).toMatch(/^#JSGF V1\.0;/);
    expect(grammar.jsgf).toContain('public <command> =');
    expect(grammar.jsgf).toContain('kenji sato');
    expect(grammar.words).toContain('forty');
    expect(grammar.words.every((w) => w === w.toLowerCase() && !/\d/.test(w))).toBe(true);
    expect(buildGrammar(set, LISTS).version).toBe(grammar.version);
    expect(buildGrammar(set, { ...LISTS, chip: [...LISTS.chip, 'Comet Tail'] }).version).not.toBe(grammar.version);
  });

  it('writes number ranges and lists as rules, each defined once', async () => {
    const { set } = await marketplaceEngine();
    const { jsgf } = buildGrammar(set, LISTS);
    console.log(`JSGF grammar: ${jsgf.length} characters`);
    expect(jsgf.length).toBeLessThan(200_000);
    const definitions = (name: string): number => jsgf.split('\n').filter((line) => line.startsWith(`${name} =`)).length;
    // rating (1–5) spelled out; price (1–100 000) exactly, whole thousands sharing one tail.
    expect(jsgf).toContain('<list_rating> = ( one | two | three | four | five );');
    expect(jsgf).toMatch(/^<list_price> = .*\( a \| .* \) thousand \[ \[ and \] /m);
    // Every list and expansion rule is defined once and referenced by name.
    for (const name of [...Object.keys(set.lists).map((l) => `<list_${l}>`), ...Object.keys(set.expansionRules).map((r) => `<rule_${r}>`)]) expect(definitions(name), name).toBe(1);
  });

  it('recognises every exported phrase back to its intent', async () => {
    const { set, engine } = await marketplaceEngine();
    const expected = new Map(sampleSentences(set, LISTS, { limit: 200 }).map((s) => [s.text, s]));
    const grammar = buildGrammar(set, LISTS);
    const wrong: string[] = [];
    for (const phrase of grammar.phrases) {
      const u = engine.recognize(phrase, LISTS);
      const want = expected.get(phrase);
      if (u.intent !== want?.intent) wrong.push(`${phrase} → ${u.intent} (want ${want?.intent})`);
    }
    console.log(`grammar round trip: ${grammar.phrases.length - wrong.length}/${grammar.phrases.length} phrases back to their intent`);
    expect(wrong).toEqual([]);
  });
});
