import type { SlotValue } from '../contracts.js';
import type { Expression, Template } from './types.js';

/** One sentence produced from a template: its words and the slot values it carries. */
export interface Expansion {
  readonly words: readonly string[];
  readonly slots: Readonly<Record<string, SlotValue>>;
}

/** How a slot reference is filled while expanding: the spoken words and the slot value. */
export type ListFiller = (list: string) => readonly { readonly words: readonly string[]; readonly value: SlotValue }[];

/**
 * Enumerate the sentences of an expression, depth first, stopping after `limit`.
 * `fill` gives the choices for each `{list}` (an empty answer drops that branch).
 */
export function* expand(expression: Expression, rules: Readonly<Record<string, Template>>, fill: ListFiller, limit = Infinity): Generator<Expansion> {
  let produced = 0;
  for (const item of walk(expression, rules, fill)) {
    yield item;
    produced += 1;
    if (produced >= limit) return;
  }
}

function* walk(expression: Expression, rules: Readonly<Record<string, Template>>, fill: ListFiller): Generator<Expansion> {
  switch (expression.kind) {
    case 'word':
      yield { words: [expression.text], slots: {} };
      return;
    case 'alt':
      for (const option of expression.options) yield* walk(option, rules, fill);
      return;
    case 'rule':
      yield* walk(rules[expression.name].expression, rules, fill);
      return;
    case 'list':
      for (const choice of fill(expression.list)) yield { words: choice.words, slots: { [expression.slot]: choice.value } };
      return;
    case 'seq':
      yield* sequence(expression.items, 0, rules, fill);
      return;
  }
}

function* sequence(items: readonly Expression[], index: number, rules: Readonly<Record<string, Template>>, fill: ListFiller): Generator<Expansion> {
  if (index >= items.length) {
    yield { words: [], slots: {} };
    return;
  }
  for (const head of walk(items[index], rules, fill)) {
    for (const tail of sequence(items, index + 1, rules, fill)) {
      yield { words: [...head.words, ...tail.words], slots: { ...head.slots, ...tail.slots } };
    }
  }
}
