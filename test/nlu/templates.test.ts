import { describe, expect, it } from 'vitest';
import { HoloMeshError } from '../../src/errors.js';
import { compileIntents, parseIntentsYaml, parseTemplate, TemplateError, tokenizeTemplate } from '../../src/nlu/index.js';

describe('tokenizer and parser', () => {
  it('tokenizes words, groups, slots and rules, dropping punctuation', () => {
    const tokens = tokenizeTemplate('buy [the] {chip:item}, <please>?');
    expect(tokens.map((t) => t.type)).toEqual(['word', 'openOptional', 'word', 'closeOptional', 'list', 'rule']);
    expect(tokens[4]).toMatchObject({ list: 'chip', slot: 'item' });
  });

  it('turns [x] into an alternative with an empty sequence', () => {
    expect(parseTemplate('[the] chip')).toEqual({
      kind: 'seq',
      items: [{ kind: 'alt', options: [{ kind: 'word', text: 'the' }, { kind: 'seq', items: [] }] }, { kind: 'word', text: 'chip' }],
    });
  });

  it('expands (a;b) permutations into alternatives of every order', () => {
    const expression = parseTemplate('(a;b;c)');
    expect(expression.kind).toBe('alt');
    if (expression.kind === 'alt') expect(expression.options).toHaveLength(6);
  });

  it.each([['(a|b', 'unclosed "("'], ['a]', 'unexpected'], ['{bad list}', 'bad list reference'], ['<x', 'unclosed "<"']])('rejects %s', (template, message) => {
    expect(() => parseTemplate(template)).toThrow(message);
  });
});

describe('YAML files', () => {
  const good = ['language: en', 'lists:', '  thing: {wildcard: true}', 'intents:', '  Get:', '    data:', '      - sentences:', '          - "get {thing}"'].join('\n');

  it('parses a file', () => {
    const file = parseIntentsYaml(good, 'good.yaml');
    expect(Object.keys(file.intents)).toEqual(['Get']);
    expect(file.lists.thing.kind).toBe('wildcard');
  });

  it('names file, line and column of a template syntax error', () => {
    const text = good.replace('"get {thing}"', '"get (the {thing}"');
    try {
      parseIntentsYaml(text, 'broken.yaml');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TemplateError);
      expect(error).toBeInstanceOf(HoloMeshError);
      const e = error as TemplateError;
      expect(e).toMatchObject({ code: 'HM_ERR_NLU_TEMPLATE', statusCode: 500 });
      expect(e.file).toBe('broken.yaml');
      expect(e.line).toBe(8);
      expect(e.column).toBe(18);
      expect(e.message).toMatch(/^broken\.yaml:8:18: .*unclosed "\("/);
    }
  });

  it('names the line of bad YAML and of unknown keys', () => {
    expect(() => parseIntentsYaml('intents:\n  A: [unclosed', 'y.yaml')).toThrow(/^y\.yaml:\d+/);
    expect(() => parseIntentsYaml(`${good}\n        sentnces: []`, 'k.yaml')).toThrow(TemplateError);
    expect(() => parseIntentsYaml('intent: {}', 'top.yaml')).toThrow(/top\.yaml:1:1: unknown key "intent"/);
  });

  it('checks {list} and <rule> references when compiling, with the line', () => {
    const badList = parseIntentsYaml(good.replace('{thing}', '{thingy}'), 'refs.yaml');
    expect(() => compileIntents([badList])).toThrow(/refs\.yaml:8:13: unknown list "\{thingy\}"/);
    const badRule = parseIntentsYaml(good.replace('{thing}', '<nope>'), 'refs.yaml');
    expect(() => compileIntents([badRule])).toThrow(/unknown expansion rule "<nope>"/);
    const loop = parseIntentsYaml(`${good}\nexpansion_rules:\n  a: "x <b>"\n  b: "<a>"`, 'loop.yaml');
    expect(() => compileIntents([loop])).toThrow(/refers to itself/);
  });

  it('merges several files and rejects a list defined twice', () => {
    const other = parseIntentsYaml(['intents:', '  Get:', '    data:', '      - sentences: ["fetch {thing}"]'].join('\n'), 'more.yaml');
    const set = compileIntents([parseIntentsYaml(good, 'good.yaml'), other]);
    expect(set.intents[0].data).toHaveLength(2);
    expect(() => compileIntents([parseIntentsYaml(good, 'a.yaml'), parseIntentsYaml(good, 'b.yaml')])).toThrow(/b\.yaml:3:.*already defined in a\.yaml/);
  });
});
