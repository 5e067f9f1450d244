import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SlotValue, Understanding } from '../../src/contracts.js';
import { walk } from '../../src/nlu/compile.js';
import { surfaceWords } from '../../src/nlu/normalize.js';
import type { IntentEngine, IntentSet } from '../../src/nlu/index.js';
import { LISTS, marketplaceEngine } from '../nlu/helpers.js';

/**
 * The intent engine against any text a client can send: it answers (never throws) within a bounded
 * time, with either no intent or a known intent whose slots come from the lists.
 */
const PER_CALL_MS = 3_000;
const INJECTIONS = [
  "'); DROP TABLE users;--", "' OR '1'='1", '1; DELETE FROM chips', '<script>alert(1)</script>', '<img src=x onerror=alert(1)>',
  '{{constructor.constructor("x")()}}', '${process.exit()}', '%00', '../../etc/passwd', 'constructor', '__proto__', 'toString', 'hasOwnProperty',
];
const ODD = [
  '\u0000', '\u200b', '\u200c', '\u200d', '\ufeff', '\u202e', '\u200f', '\u0301', '\u0308\u0308\u0308', 'ﷺ', 'مرحبا', 'שלום', '😀', '👩‍👩‍👧‍👦',
  '\ud800', '\udfff', '\ud83d', '𝔟𝔲𝔶', 'Ａ', 'ß', 'İ', '\t', '\r\n', '\u2028', '٣', '¾', '1e309', '-0', 'NaN', 'Infinity',
];
const PHRASES = ['buy the neon dragon chip', "what's my balance", 'subscribe to nova', 'auto buy under fifty credits', 'show chips by aria chen', 'read my notifications', 'yes', 'cancel'];

const piece = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...PHRASES) },
  { weight: 2, arbitrary: fc.constantFrom(...INJECTIONS) },
  { weight: 3, arbitrary: fc.constantFrom(...ODD) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom(...LISTS.chip, ...LISTS.designer, ...LISTS.tag) },
);
const utterance = fc.array(piece, { maxLength: 24 }).chain((parts) => fc.constantFrom(' ', '', '\u200b').map((sep) => parts.join(sep)));

/** Which lists can fill each slot, and the fixed slot values of data blocks. */
function slotSources(set: IntentSet): { lists: Map<string, Set<string>>; fixed: Map<string, Set<SlotValue>> } {
  const lists = new Map<string, Set<string>>();
  const fixed = new Map<string, Set<SlotValue>>();
  const visit = (expression: Parameters<typeof walk>[0]) => walk(expression, (node) => {
    if (node.kind === 'list') lists.set(node.slot, (lists.get(node.slot) ?? new Set()).add(node.list));
  });
  for (const intent of set.intents) {
    for (const data of intent.data) {
      for (const sentence of data.sentences) visit(sentence.expression);
      for (const [slot, value] of Object.entries(data.slots)) fixed.set(slot, (fixed.get(slot) ?? new Set()).add(value));
    }
  }
  for (const rule of Object.values(set.expansionRules)) visit(rule.expression);
  return { lists, fixed };
}

describe('intent engine under arbitrary text (property)', () => {
  let set: IntentSet;
  let engine: IntentEngine;
  let sources: ReturnType<typeof slotSources>;
  const intentNames = new Set<string>();
  beforeAll(async () => {
    ({ set, engine } = await marketplaceEngine());
    sources = slotSources(set);
    for (const intent of set.intents) intentNames.add(intent.name);
  });

  /** A slot value is one a list can give: a fixed value, a range number, a list value, or (wildcards) the speaker's own words. */
  function isFromLists(slot: string, value: SlotValue, text: string): boolean {
    if (sources.fixed.get(slot)?.has(value)) return true;
    const spoken = new Set(surfaceWords(text));
    for (const name of sources.lists.get(slot) ?? []) {
      const list = set.lists[name];
      if (list.kind === 'range' && typeof value === 'number' && Number.isInteger(value) && value >= list.from && value <= list.to) return true;
      if (list.kind === 'values' && list.values.some((v) => v.out === value)) return true;
      if (list.kind === 'wildcard' && typeof value === 'string') {
        const live = (LISTS as Record<string, readonly string[]>)[name] ?? [];
        if (live.includes(value)) return true;
        if (value.split(' ').every((word) => spoken.has(word))) return true;
      }
    }
    return false;
  }

  function expectValid(text: string, result: Understanding): void {
    expect(result.text).toBe(text);
    expect(result.confidence).toBeGreaterThanOrEqual(0);
    expect(result.confidence).toBeLessThanOrEqual(1);
    if (result.intent === null) {
      expect(result.slots).toEqual({});
      return;
    }
    expect(intentNames.has(result.intent)).toBe(true);
    expect(result.confidence).toBeGreaterThanOrEqual(0.5);
    for (const [slot, value] of Object.entries(result.slots)) {
      expect(isFromLists(slot, value, text), `slot ${slot}=${JSON.stringify(value)} of ${result.intent} for ${JSON.stringify(text)}`).toBe(true);
    }
  }

  function recognizeTimed(text: string): Understanding {
    const started = performance.now();
    const result = engine.recognize(text, LISTS);
    expect(performance.now() - started).toBeLessThan(PER_CALL_MS);
    return result;
  }

  it('answers mixed phrases, injections and Unicode edge cases with a valid result', () => {
    fc.assert(fc.property(utterance, (text) => expectValid(text, recognizeTimed(text))), { seed: 7_301, numRuns: 400 });
  });

  it('answers arbitrary code points, lone surrogates included', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => expectValid(text, recognizeTimed(text))), { seed: 7_302, numRuns: 300 });
  });

  it('answers very long texts in bounded time', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...PHRASES, ...INJECTIONS, ...ODD), { minLength: 200, maxLength: 800 }), (parts) => {
      const text = parts.join(' ');
      expectValid(text, recognizeTimed(text));
    }), { seed: 7_303, numRuns: 8 });
    for (const text of ['x'.repeat(1_000_000), 'e\u0301'.repeat(100_000), '😀'.repeat(100_000), '\u0000'.repeat(100_000)]) {
      expectValid(text, recognizeTimed(text));
    }
  });
});

describe('intent engine regressions', () => {
  it.each(['constructor', 'buy the constructor chip', 'Constructor please'])('does not mistake %j for a rewrite rule (it threw a TypeError)', async (text) => {
    const { engine } = await marketplaceEngine();
    const result = engine.recognize(text, LISTS);
    expect(result.text).toBe(text);
    expect(engine.normalize(text)).toContain('constructor');
  });

  it('ignores inherited names among the live lists', async () => {
    const { engine } = await marketplaceEngine();
    const lists = Object.create({ chip: 'not a list' }) as Record<string, readonly string[]>;
    // Before: the inherited string was taken for the chip list and threw "values.map is not a function".
    expect(() => engine.recognize('buy the neon dragon chip', lists)).not.toThrow();
  });

  it('keeps SQL injected into a command as plain words', async () => {
    const { engine } = await marketplaceEngine();
    const text = "buy the neon dragon chip'); DROP TABLE users;--";
    expect(engine.normalize(text)).toEqual(expect.arrayContaining(['drop', 'table', 'users']));
    const result = engine.recognize(text, LISTS);
    expect(result.intent === null || result.intent === 'BuyChip').toBe(true);
  });
});
