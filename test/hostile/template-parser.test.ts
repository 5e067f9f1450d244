import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_INTENTS_DIR } from '../../src/load-intents.js';
import { compileIntents, createIntentEngine, parseIntentsYaml, parseTemplate, TemplateError, TemplateSyntaxError } from '../../src/nlu/index.js';

/**
 * The template language under hostile input: whatever the text, parsing ends quickly in either a
 * tree or a typed error (TemplateSyntaxError with a column; TemplateError naming file:line:column
 * at the YAML level) — never another exception, a stack overflow or a hang.
 */
const MARKETPLACE = readFileSync(join(DEFAULT_INTENTS_DIR, 'marketplace.yaml'), 'utf8');
const LOCATED = /^[\w.-]+\.yaml:\d+:\d+: \S/;
const PER_CASE_MS = 2_000;

/** Pieces of the template syntax, so random strings reach the parser's deeper paths. */
const syntaxPiece = fc.oneof(
  fc.constantFrom('(', ')', '[', ']', '|', ';', '{', '}', '<', '>', ':', ' ', ',', '?', '"', '\\'),
  fc.constantFrom('a', 'buy', 'the', '{chip}', '{price:maxPrice}', '<find>', '<designer>', '{thing}', '<r>', '{constructor}', '<toString>', '{__proto__}'),
  fc.string({ unit: 'binary', maxLength: 3 }),
);
const templateLike = fc.array(syntaxPiece, { maxLength: 40 }).map((parts) => parts.join(''));

/** A one-intent file around `sentence`, JSON-quoted so that the YAML itself stays valid. */
function fileWith(sentence: string): string {
  return ['language: en', 'lists:', '  thing: {wildcard: true}', 'expansion_rules:', '  r: "(a|b)"', 'intents:', '  Get:', '    data:', '      - sentences:', `          - ${JSON.stringify(sentence)}`].join('\n');
}

function expectTypedParse(text: string): void {
  const started = performance.now();
  try {
    const expression = parseTemplate(text);
    expect(['word', 'seq', 'alt', 'list', 'rule']).toContain(expression.kind);
  } catch (err) {
    if (!(err instanceof TemplateSyntaxError)) throw err;
    expect(Number.isInteger(err.column)).toBe(true);
    expect(err.column).toBeGreaterThanOrEqual(0);
    expect(err.column).toBeLessThanOrEqual(text.length);
  }
  expect(performance.now() - started).toBeLessThan(PER_CASE_MS);
}

function expectCompiledOrLocated(yaml: string): void {
  const started = performance.now();
  try {
    const set = compileIntents([parseIntentsYaml(yaml, 'hostile.yaml')]);
    // What compiles builds an engine that answers with one of its intents or none, never a throw.
    const understanding = createIntentEngine(set).recognize('buy zebra quantum', {});
    expect([null, ...set.intents.map((intent) => intent.name)]).toContain(understanding.intent);
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    expect(err.code).toBe('HM_ERR_NLU_TEMPLATE');
    expect(err.message).toMatch(LOCATED);
    expect(err.file).toBe('hostile.yaml');
    expect(err.line).toBeGreaterThanOrEqual(1);
    expect(err.column).toBeGreaterThanOrEqual(0);
  }
  expect(performance.now() - started).toBeLessThan(PER_CASE_MS);
}

/** Edits a real file the way a careless hand (or a corrupted disk) would. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(templateLike, fc.string({ unit: 'binary', maxLength: 8 })) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicateLine' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swapLines' as const), at: fc.nat(), other: fc.nat() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(text: string, m: Mutation): string {
  const at = m.at % (text.length + 1);
  switch (m.kind) {
    case 'delete':
      return text.slice(0, at) + text.slice(at + m.length);
    case 'insert':
      return text.slice(0, at) + m.text + text.slice(at);
    case 'truncate':
      return text.slice(0, at);
    case 'duplicateLine': {
      const lines = text.split('\n');
      const i = m.at % lines.length;
      return [...lines.slice(0, i + 1), lines[i], ...lines.slice(i + 1)].join('\n');
    }
    case 'swapLines': {
      const lines = text.split('\n');
      const i = m.at % lines.length;
      const j = m.other % lines.length;
      [lines[i], lines[j]] = [lines[j], lines[i]];
      return lines.join('\n');
    }
  }
}

describe('template parser under arbitrary input (property)', () => {
  it('ends in a tree or a TemplateSyntaxError with a column, for any string', () => {
    fc.assert(fc.property(fc.oneof(templateLike, fc.string({ unit: 'binary', maxLength: 200 })), expectTypedParse), { seed: 20_251, numRuns: 600 });
  });

  it('compiles a file or names file:line:column, whatever the sentence', () => {
    fc.assert(fc.property(templateLike, (sentence) => expectCompiledOrLocated(fileWith(sentence))), { seed: 20_252, numRuns: 300 });
  });

  it('compiles the real marketplace file or names file:line:column after random edits', () => {
    fc.assert(fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (edits) => {
      expectCompiledOrLocated(edits.reduce(mutate, MARKETPLACE));
    }), { seed: 20_253, numRuns: 120 });
  });
});

describe('template parser regressions', () => {
  it('refuses groups nested thousands deep with a syntax error, not a stack overflow', () => {
    const deep = `${'('.repeat(20_000)}a${')'.repeat(20_000)}`;
    expect(() => parseTemplate(deep)).toThrow(TemplateSyntaxError);
    expect(() => parseTemplate(deep)).toThrow('nested deeper');
    expect(parseTemplate(`${'('.repeat(30)}a${')'.repeat(30)}`)).toEqual({ kind: 'word', text: 'a' });
  });

  it('refuses nested permutations that would multiply past any sentence (they made building the engine hang)', () => {
    const nested = '(((a;b;c;d;e);b;c;d;e);b;c;d;e)';
    expect(() => parseTemplate(nested)).toThrow('too complex');
    expectCompiledOrLocated(fileWith(nested));
    // One level of five stays allowed: 120 orders.
    expect(parseTemplate('(a;b;c;d;e)').kind).toBe('alt');
  });

  it.each([['get {constructor}', 'unknown list "{constructor}"'], ['get {__proto__}', 'unknown list "{__proto__}"'], ['get <toString>', 'unknown expansion rule "<toString>"']])(
    'treats %s as an unknown reference, not an inherited property', (sentence, message) => {
      expect(() => compileIntents([parseIntentsYaml(fileWith(sentence), 'hostile.yaml')])).toThrow(message);
    },
  );

  it('accepts a list actually named "constructor" and recognises with it', () => {
    const yaml = ['language: en', 'lists:', '  constructor: {values: [lego, meccano]}', 'intents:', '  Build:', '    data:', '      - sentences: ["build with {constructor:kit}"]'].join('\n');
    const set = compileIntents([parseIntentsYaml(yaml, 'kit.yaml')]);
    expect(createIntentEngine(set).recognize('build with meccano', {})).toMatchObject({ intent: 'Build', slots: { kit: 'meccano' } });
  });

  it('checks a chain of rules that each use the next twice in linear time (it used to walk 2^40 nodes)', () => {
    const lines = ['language: en', 'expansion_rules:', '  r0: "a"'];
    for (let i = 1; i <= 40; i++) lines.push(`  r${i}: "<r${i - 1}> <r${i - 1}>"`);
    lines.push('intents:', '  Get:', '    data:', '      - sentences: ["get <r40>"]');
    const started = performance.now();
    expect(compileIntents([parseIntentsYaml(lines.join('\n'), 'chain.yaml')]).intents).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(PER_CASE_MS);
  });

  it('still finds a rule that refers to itself through another', () => {
    const yaml = ['language: en', 'expansion_rules:', '  a: "x <b>"', '  b: "y <a>"', 'intents:', '  Get:', '    data:', '      - sentences: ["get <a>"]'].join('\n');
    expect(() => compileIntents([parseIntentsYaml(yaml, 'loop.yaml')])).toThrow(/loop\.yaml:\d+:\d+: expansion rule "<\w>" refers to itself/);
  });
});
