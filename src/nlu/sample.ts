import type { LiveLists, SlotValue, Slots } from '../contracts.js';
import { expand, type Expansion, type ListFiller } from './expand.js';
import { surfaceWords } from './normalize.js';
import { numberToWords } from './numbers.js';
import type { Expression, IntentSet, ListDefinition } from './types.js';

export interface SampledSentence {
  readonly intent: string;
  /** Lower-case words, numbers spelled out (what a recogniser would write). */
  readonly text: string;
  readonly slots: Slots;
}

export interface SampleOptions {
  /** Most sentences per intent. Default 100. */
  readonly limit?: number;
  /** Only these intents. Default all. */
  readonly intents?: readonly string[];
  /** Range values to use: a spread of representative numbers (default) or every value. */
  readonly numbers?: 'sample' | 'all';
}

const REPRESENTATIVE = [1, 2, 3, 4, 5, 10, 15, 20, 25, 30, 40, 50, 75, 100, 200, 500, 1000];

/** The spoken words of a text: lower case, no punctuation, digits spelled out. */
export function spokenWords(text: string): string[] {
  return surfaceWords(text).flatMap((w) => (/^\d+$/.test(w) ? numberToWords(Number(w)).split(' ') : [w.toLowerCase()]));
}

/** Values of a range list as spoken numbers; `all` lists every value. */
export function rangeValues(list: Extract<ListDefinition, { kind: 'range' }>, all: boolean): number[] {
  if (all) {
    const out: number[] = [];
    for (let v = list.from; v <= list.to; v += list.step) out.push(v);
    return out;
  }
  const picks = new Set([list.from, ...REPRESENTATIVE.filter((v) => v > list.from && v < list.to && (v - list.from) % list.step === 0), list.to]);
  return [...picks];
}

/** The choices for each `{list}` reference when sampling: spoken words and the slot value. */
export function listFiller(set: IntentSet, lists: LiveLists, numbers: 'sample' | 'all'): ListFiller {
  const cache = new Map<string, readonly { words: readonly string[]; value: SlotValue }[]>();
  const fill: ListFiller = (name) => {
    const cached = cache.get(name);
    if (cached !== undefined) return cached;
    const definition = set.lists[name];
    let choices: { words: readonly string[]; value: SlotValue }[] = [];
    if (definition.kind === 'range') {
      choices = rangeValues(definition, numbers === 'all').map((v) => ({ words: numberToWords(v).split(' '), value: v }));
    } else if (definition.kind === 'wildcard') {
      choices = (lists[name] ?? definition.freeText?.spoken ?? []).map((value) => ({ words: spokenWords(value), value }));
    } else {
      choices = definition.values.flatMap((value) => [...expand(value.in.expression, set.expansionRules, fill, 3)]
        .map((e) => ({ words: e.words.flatMap(spokenWords), value: value.out })));
    }
    cache.set(name, choices);
    return choices;
  };
  return fill;
}

/**
 * Enumerate sentences the templates accept, filled with the live lists — the inverse of
 * recognition, used for grammar export and template tests. Templates of an intent take turns,
 * so a limit still covers every template.
 */
export function sampleSentences(set: IntentSet, lists: LiveLists, options: SampleOptions = {}): SampledSentence[] {
  const limit = options.limit ?? 100;
  const fill = listFiller(set, lists, options.numbers ?? 'sample');
  const out: SampledSentence[] = [];
  for (const intent of set.intents) {
    if (options.intents !== undefined && !options.intents.includes(intent.name)) continue;
    const generators = intent.data.flatMap((data) => data.sentences.map((sentence) => ({ data, it: expand(sentence.expression, set.expansionRules, fill) })));
    const seen = new Set<string>();
    let active = generators;
    while (active.length > 0 && seen.size < limit) {
      const next: typeof active = [];
      for (const g of active) {
        if (seen.size >= limit) break;
        const item = g.it.next();
        if (item.done === true) continue;
        next.push(g);
        const e: Expansion = item.value;
        const text = e.words.flatMap(spokenWords).join(' ');
        if (text === '' || seen.has(text)) continue;
        seen.add(text);
        out.push({ intent: intent.name, text, slots: { ...g.data.slots, ...e.slots } });
      }
      active = next;
    }
  }
  return out;
}

export interface RandomSampleOptions {
  /** Sentences per intent (repeats possible). Default 100. */
  readonly perIntent?: number;
  /** Seed of the pseudo-random choices: the same seed gives the same sentences. Default 1. */
  readonly seed?: number;
}

/**
 * Sentences drawn at random from the templates (each template equally likely, then each option
 * of every alternative, list and range value): where `sampleSentences` walks the first options in
 * order, this reaches every part of a large template — what tests of a whole language need.
 */
export function randomSentences(set: IntentSet, lists: LiveLists, options: RandomSampleOptions = {}): SampledSentence[] {
  const fill = listFiller(set, lists, 'all');
  let state = (options.seed ?? 1) >>> 0 || 1;
  // xorshift32: small, seedable, good enough to pick options.
  const pick = (n: number): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % n;
  };
  const draw = (expression: Expression, words: string[], slots: Record<string, SlotValue>): void => {
    switch (expression.kind) {
      case 'word':
        words.push(...spokenWords(expression.text));
        return;
      case 'seq':
        for (const item of expression.items) draw(item, words, slots);
        return;
      case 'alt':
        if (expression.options.length > 0) draw(expression.options[pick(expression.options.length)], words, slots);
        return;
      case 'rule':
        draw(set.expansionRules[expression.name].expression, words, slots);
        return;
      case 'list': {
        const choices = fill(expression.list);
        if (choices.length === 0) throw new EmptyList();
        const choice = choices[pick(choices.length)];
        words.push(...choice.words.flatMap(spokenWords));
        slots[expression.slot] = choice.value;
        return;
      }
    }
  };
  const out: SampledSentence[] = [];
  for (const intent of set.intents) {
    const templates = intent.data.flatMap((data) => data.sentences.map((sentence) => ({ data, sentence })));
    for (let n = 0, tries = 0; n < (options.perIntent ?? 100) && tries < 10 * (options.perIntent ?? 100); tries++) {
      const { data, sentence } = templates[pick(templates.length)];
      const words: string[] = [];
      const slots: Record<string, SlotValue> = {};
      try {
        draw(sentence.expression, words, slots);
      } catch (error) {
        // A list with no values (no designers yet) drops the sentences that need it.
        if (error instanceof EmptyList) continue;
        throw error;
      }
      if (words.length === 0) continue;
      out.push({ intent: intent.name, text: words.join(' '), slots: { ...data.slots, ...slots } });
      n++;
    }
  }
  return out;
}

class EmptyList extends Error {}
