import type { LiveLists, SlotValue } from '../contracts.js';
import { expand } from '../nlu/expand.js';
import type { ListFiller } from '../nlu/expand.js';
import { buildGrammar, fnv1a } from '../nlu/grammar.js';
import { numberRuleLines, rangeExpansion } from '../nlu/number-grammar.js';
import { numberToWords } from '../nlu/numbers.js';
import { spokenWords } from '../nlu/sample.js';
import type { Expression, IntentSet } from '../nlu/types.js';
import type { RecognitionGrammar } from './engine.js';

/**
 * The recogniser grammar for SoundSwallower's FSG search, built from enumerated sentences instead
 * of the templates' structure.
 *
 * The template JSGF (nested optionals, expansion rules and number rules that the JSGF → FSG
 * compiler inlines at every reference, many null transitions) makes the search slow. Here every
 * template is enumerated with `expand`, with expansion rules, open lists (designer, chip, tag,
 * numbers) and long value lists (period) as placeholder tokens `<rule_x>` / `<list_x>`; short value
 * lists are spelled out. The sentences are written as prefix tries (each next word appears once),
 * split at their last placeholder: prefixes sharing the placeholder and the same set of endings are
 * grouped, `( prefixes ) <x> endings`, the prefixes recursively the same way. So each group inlines
 * `<x>` once, and nothing beyond the enumerated sentences is accepted. Rules and long lists are
 * written the same way, each defined once; numbers use the compositional rules of number-grammar.ts.
 *
 * With rules as placeholders the templates enumerate to a few hundred sentences each; the rare one
 * above the budget is cut to its first options (templates list the common phrasing first) as wide as
 * the budget allows. The enumeration does not depend on the live lists and is cached per intent set.
 */

export interface SpeechGrammarOptions {
  /** Most sentences enumerated per template. Default 300. */
  readonly sentencesPerTemplate?: number;
  /** Rules of at most this many words (and no list) are written inline, not as cut points. Default 0 (every rule is a cut point: measured faster). */
  readonly inlineRuleWords?: number;
  /** JSGF grammar name. Default `holomesh`. */
  readonly name?: string;
}

const PLACEHOLDER = /^<(?:list|rule)_([A-Za-z0-9_]+)>$/;
const LIST_TOKEN = /^<list_([A-Za-z0-9_]+)>$/;
const ruleRef = (name: string): string => `<rule_${name.replace(/[^A-Za-z0-9_]/g, '_')}>`;
const listRule = (name: string): string => `<list_${name.replace(/[^A-Za-z0-9_]/g, '_')}>`;

/** The sentences of an intent set as token arrays (placeholders `<list_x>` for open lists), cached per set. */
const sentenceCache = new WeakMap<IntentSet, Map<number, readonly (readonly string[])[]>>();

/**
 * Build the speech grammar: `jsgf` for SoundSwallower (tries with list rules), `phrases` as
 * `buildGrammar` samples them (phrase-list engines), `words` every word, `version` a hash of both.
 */
export function buildSpeechGrammar(set: IntentSet, lists: LiveLists, options: SpeechGrammarOptions = {}): RecognitionGrammar {
  const budget = options.sentencesPerTemplate ?? 300;
  const sentences = enumerateSentences(set, budget);
  const words = new Set<string>();
  const lines = ['#JSGF V1.0;', '', `grammar ${options.name ?? 'holomesh'};`, ''];
  const skip = [...new Set(set.skipWords.map((w) => spokenWords(w).join(' ')).filter((w) => w !== ''))];
  for (const s of skip) for (const w of s.split(' ')) words.add(w);
  const rules = ruleSentences(set, budget);
  // Cut points: every list, and rules too big to inline at every use.
  const cheap = new Set<string>();
  for (const [name, ruleBody] of rules) {
    const size = ruleBody.reduce((n, s) => n + s.length, 0);
    if (size <= (options.inlineRuleWords ?? MAX_INLINE_RULE) && ruleBody.every((s) => s.every((t) => !LIST_TOKEN.test(t)))) cheap.add(ruleRef(name));
  }
  const isCut = (token: string): boolean => PLACEHOLDER.test(token) && !cheap.has(token);
  const body = emitLanguage(sentences, words, isCut);
  const skipPart = skip.length > 0 ? '[ <skip> ] ' : '';
  lines.push(`public <command> = ${skipPart}${body}${skip.length > 0 ? ' [ <skip> ]' : ''};`);

  // The open lists, each defined once.
  const used = new Set<string>();
  for (const group of [sentences, ...rules.values()]) for (const sentence of group) for (const token of sentence) {
    const m = LIST_TOKEN.exec(token);
    if (m) used.add(m[1]);
  }
  for (const [name, ruleBody] of rules) lines.push(`${ruleRef(name)} = ${ruleBody.length === 0 ? '<VOID>' : emitLanguage(ruleBody, words, isCut)};`);
  const numberRules = new Set<string>();
  for (const name of [...used].sort()) {
    const list = set.lists[name];
    if (list.kind === 'range') {
      const range = rangeExpansion(list, (value) => numberToWords(value));
      for (const rule of range.rules) numberRules.add(rule);
      for (const w of range.body.replace(/<[^>]+>/g, ' ').split(/[^a-z]+/)) if (w !== '') words.add(w);
      lines.push(`${listRule(name)} = ${range.body};`);
      continue;
    }
    if (list.kind === 'values') {
      const forms = valueChoices(set, name).map((c) => [...c.words]);
      lines.push(`${listRule(name)} = ${forms.length === 0 ? '<VOID>' : emitLanguage(forms, words, isCut)};`);
      continue;
    }
    const values = [...new Set((lists[name] ?? []).map((v) => spokenWords(v).join(' ')).filter((v) => v !== ''))].sort();
    for (const v of values) for (const w of v.split(' ')) words.add(w);
    lines.push(`${listRule(name)} = ${values.length === 0 ? '<VOID>' : `( ${values.join(' | ')} )`};`);
  }
  for (const line of numberRuleLines(numberRules)) {
    lines.push(line);
    for (const w of line.slice(line.indexOf('=') + 1).replace(/<[^>]+>/g, ' ').split(/[^a-z]+/)) if (w !== '') words.add(w);
  }
  if (skip.length > 0) lines.push(`<skip> = ( ${skip.join(' | ')} );`);
  const jsgf = `${lines.join('\n')}\n`;
  const phrases = buildGrammar(set, lists).phrases;
  for (const phrase of phrases) for (const w of phrase.split(' ')) if (w !== '') words.add(w);
  return { jsgf, phrases, words: [...words].sort(), version: `sg-${fnv1a(`${jsgf}\u0000${phrases.join('\n')}`)}` };
}

/** Every intent's sentences, lower-case spoken words, open lists as `<list_x>` tokens; deduplicated. */
export function enumerateSentences(set: IntentSet, budget: number): readonly (readonly string[])[] {
  let perBudget = sentenceCache.get(set);
  if (!perBudget) sentenceCache.set(set, (perBudget = new Map()));
  const cached = perBudget.get(budget);
  if (cached) return cached;
  const opaque = opaqueSet(set);
  const out: string[][] = [];
  const adder = enumerator(opaque, budget, out);
  for (const intent of opaque.intents) for (const data of intent.data) for (const sentence of data.sentences) adder(sentence.expression);
  perBudget.set(budget, out);
  return out;
}

/** The sentences of each expansion rule (rules and open lists inside as placeholders). */
function ruleSentences(set: IntentSet, budget: number): Map<string, readonly (readonly string[])[]> {
  const opaque = opaqueSet(set);
  const out = new Map<string, readonly (readonly string[])[]>();
  for (const name of Object.keys(set.expansionRules)) {
    const sentences: string[][] = [];
    enumerator(opaque, budget, sentences)(opaqueExpression(set.expansionRules[name].expression));
    out.set(name, sentences);
  }
  return out;
}

/** Expansion-rule references turned into `{__rule_x}` list references (filled with one `<rule_x>` token). */
function opaqueExpression(expression: Expression): Expression {
  switch (expression.kind) {
    case 'word':
    case 'list':
      return expression;
    case 'rule':
      return { kind: 'list', list: `__rule_${expression.name}`, slot: `__rule_${expression.name}` };
    case 'seq':
      return { kind: 'seq', items: expression.items.map(opaqueExpression) };
    case 'alt':
      return { kind: 'alt', options: expression.options.map(opaqueExpression) };
  }
}

function opaqueSet(set: IntentSet): IntentSet {
  return {
    ...set,
    intents: set.intents.map((intent) => ({
      ...intent,
      data: intent.data.map((data) => ({ ...data, sentences: data.sentences.map((s) => ({ ...s, expression: opaqueExpression(s.expression) })) })),
    })),
  };
}

function enumerator(set: IntentSet, budget: number, out: string[][]): (expression: Expression) => void {
  const fill = placeholderFiller(set);
  const seen = new Set<string>();
  const add = (raw: readonly string[]): void => {
    const tokens = raw.flatMap((w) => (PLACEHOLDER.test(w) ? [w] : spokenWords(w)));
    if (tokens.length === 0) return;
    const key = tokens.join(' ');
    if (seen.has(key)) return;
    seen.add(key);
    out.push(tokens);
  };
  return (expression) => {
    if (count(expression, set, fill) <= budget) {
      for (const e of expand(expression, set.expansionRules, fill)) add(e.words);
      return;
    }
    // The widest narrowing that fits the budget (whole cross products, so continuations stay
    // shared); value lists are narrowed too (their first spoken forms).
    const narrowFill = (k: number): ListFiller => (name) => fill(name).slice(0, k);
    let width = 1;
    for (let k = 2; k <= 64; k++) {
      if (count(narrow(expression, set, k), set, narrowFill(k)) > budget) break;
      width = k;
    }
    for (const e of expand(narrow(expression, set, width), set.expansionRules, narrowFill(width), budget)) add(e.words);
  };
}

/** Rules with at most this many words (and no list) are inlined like words instead of being cut points. */
const MAX_INLINE_RULE = 0;

/** Value lists with more spoken forms than this become a rule. */
const MAX_INLINE_VALUES = 8;

/** Every spoken form of a value list (rules inside expanded). */
function valueChoices(set: IntentSet, name: string): { words: readonly string[]; value: SlotValue }[] {
  const definition = set.lists[name];
  if (definition.kind !== 'values') return [];
  const none: ListFiller = () => [];
  return definition.values.flatMap((value) => [...expand(value.in.expression, set.expansionRules, none)].map((e) => ({ words: e.words.flatMap(spokenWords), value: value.out })));
}

/** Open lists (wildcard, range) and long value lists as one placeholder token; short value lists spelled out. */
function placeholderFiller(set: IntentSet): ListFiller {
  const cache = new Map<string, readonly { words: readonly string[]; value: SlotValue }[]>();
  const fill: ListFiller = (name) => {
    const cached = cache.get(name);
    if (cached) return cached;
    if (name.startsWith('__rule_')) return [{ words: [ruleRef(name.slice('__rule_'.length))], value: name }];
    const definition = set.lists[name];
    const spelled = definition.kind === 'values' ? valueChoices(set, name) : [];
    // Long value lists (period: ~100 spoken forms) are a rule of their own, like the open lists.
    const choices = spelled.length > 0 && spelled.length <= MAX_INLINE_VALUES ? spelled : [{ words: [listRule(name)], value: name }];
    cache.set(name, choices);
    return choices;
  };
  return fill;
}

function count(expression: Expression, set: IntentSet, fill: ListFiller): number {
  switch (expression.kind) {
    case 'word':
      return 1;
    case 'list':
      return fill(expression.list).length;
    case 'rule':
      return count(set.expansionRules[expression.name].expression, set, fill);
    case 'seq':
      return expression.items.reduce((n, item) => n * count(item, set, fill), 1);
    case 'alt':
      return expression.options.reduce((n, option) => n + count(option, set, fill), 0);
  }
}

const isEmpty = (e: Expression): boolean => e.kind === 'seq' && e.items.length === 0;

/** The expression with every alternative cut to its first `k` options (an empty option always kept), rules inlined. */
function narrow(expression: Expression, set: IntentSet, k: number): Expression {
  switch (expression.kind) {
    case 'word':
    case 'list':
      return expression;
    case 'rule':
      return narrow(set.expansionRules[expression.name].expression, set, k);
    case 'seq':
      return { kind: 'seq', items: expression.items.map((item) => narrow(item, set, k)) };
    case 'alt': {
      const present = expression.options.filter((o) => !isEmpty(o)).slice(0, k).map((o) => narrow(o, set, k));
      return { kind: 'alt', options: present.length < expression.options.length && expression.options.some(isEmpty) ? [...present, { kind: 'seq', items: [] }] : present };
    }
  }
}

interface TrieNode {
  end: boolean;
  readonly next: Map<string, TrieNode>;
}

const newNode = (): TrieNode => ({ end: false, next: new Map() });

/**
 * A set of token sequences as a JSGF expression: the placeholder-free ones as one trie, the rest
 * split at their last placeholder; prefixes with the same placeholder and the same set of endings
 * (the words after it) are grouped and written `( prefixes ) <x> endings`, the prefixes
 * recursively the same way. Each group inlines `<x>` once, and nothing beyond the sentences given
 * is accepted.
 */
function emitLanguage(sentences: readonly (readonly string[])[], words: Set<string>, isCut: (token: string) => boolean): string {
  const plain = newNode();
  let hasPlain = false;
  const cut = new Map<string, { prefix: readonly string[]; placeholder: string; endings: Map<string, readonly string[]> }>();
  for (const s of sentences) {
    let at = s.length - 1;
    while (at >= 0 && !isCut(s[at])) at -= 1;
    if (at < 0) {
      if (s.length > 0) {
        insert(plain, s);
        hasPlain = true;
      }
      continue;
    }
    const prefix = s.slice(0, at);
    const key = `${prefix.join(' ')}\u0000${s[at]}`;
    let entry = cut.get(key);
    if (!entry) cut.set(key, (entry = { prefix, placeholder: s[at], endings: new Map() }));
    const ending = s.slice(at + 1);
    entry.endings.set(ending.join(' '), ending);
  }
  const groups = new Map<string, { placeholder: string; prefixes: (readonly string[])[]; endings: readonly (readonly string[])[] }>();
  for (const entry of cut.values()) {
    const key = `${entry.placeholder}\u0000${[...entry.endings.keys()].sort().join('\u0001')}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { placeholder: entry.placeholder, prefixes: [], endings: [...entry.endings.values()] }));
    group.prefixes.push(entry.prefix);
  }
  const alternatives: string[] = [];
  if (hasPlain) {
    const text = emitTrie(plain, words);
    if (text !== null) alternatives.push(text);
  }
  for (const group of groups.values()) {
    const parts: string[] = [];
    const nonEmpty = group.prefixes.filter((p) => p.length > 0);
    if (nonEmpty.length > 0) {
      const prefix = emitLanguage(nonEmpty, words, isCut);
      parts.push(nonEmpty.length < group.prefixes.length ? `[ ${prefix} ]` : prefix);
    }
    parts.push(group.placeholder);
    const root = newNode();
    for (const e of group.endings) insert(root, e);
    const ending = emitTrie(root, words);
    if (ending !== null) parts.push(root.end ? `[ ${ending} ]` : ending);
    alternatives.push(parts.join(' '));
  }
  return alternatives.length === 1 ? alternatives[0] : `( ${alternatives.join(' | ')} )`;
}

function insert(root: TrieNode, tokens: readonly string[]): void {
  let node = root;
  for (const t of tokens) {
    let child = node.next.get(t);
    if (!child) node.next.set(t, (child = newNode()));
    node = child;
  }
  node.end = true;
}

/** The words after `node` as JSGF (null when nothing follows); `node.end` is the caller's business. */
function emitTrie(node: TrieNode, words: Set<string>): string | null {
  if (node.next.size === 0) return null;
  const options: string[] = [];
  for (const [token, child] of node.next) {
    if (!PLACEHOLDER.test(token)) words.add(token);
    // A chain of single children is written flat.
    const chain = [token];
    let current = child;
    while (!current.end && current.next.size === 1) {
      const [[t, c]] = current.next;
      if (!PLACEHOLDER.test(t)) words.add(t);
      chain.push(t);
      current = c;
    }
    const tail = emitTrie(current, words);
    options.push(tail === null ? chain.join(' ') : `${chain.join(' ')} ${current.end ? `[ ${tail} ]` : tail}`);
  }
  return options.length === 1 ? options[0] : `( ${options.join(' | ')} )`;
}

