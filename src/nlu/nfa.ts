import type { Expression, Template } from './types.js';

export interface WordEdge {
  readonly word: string;
  readonly to: number;
  /** 1 when the word is evidence for the intent (not a function word). */
  readonly content: 0 | 1;
  /** Cost when nobody said it. */
  readonly deleteCost: number;
}
export interface RuleEdge {
  readonly rule: string;
  readonly to: number;
}
export interface SlotEdge {
  readonly list: string;
  readonly slot: string;
  readonly to: number;
}

/**
 * A template compiled to an acyclic automaton over normalised words. States are numbered in
 * topological order (every edge goes to a higher state), so one pass per input position suffices.
 */
export interface Nfa {
  readonly size: number;
  readonly accept: number;
  readonly eps: readonly (readonly number[])[];
  readonly words: readonly (readonly WordEdge[])[];
  readonly slots: readonly (readonly SlotEdge[])[];
  /** Expansion rules are matched as spans by their own automaton (shared, not copied). */
  readonly rules: readonly (readonly RuleEdge[])[];
}

/**
 * Build one automaton accepting any of `templates` (start state 0). `<rule>` references become
 * rule edges; `normalizeWord` turns a template word into the matcher's tokens (0..n tokens).
 */
export function buildNfa(templates: readonly Template[], normalizeWord: (word: string) => readonly string[], weigh: (word: string) => { content: 0 | 1; deleteCost: number }): Nfa {
  const eps: number[][] = [];
  const words: WordEdge[][] = [];
  const slots: SlotEdge[][] = [];
  const ruleEdges: RuleEdge[][] = [];
  const state = (): number => {
    eps.push([]);
    words.push([]);
    slots.push([]);
    ruleEdges.push([]);
    return eps.length - 1;
  };
  const build = (expression: Expression, from: number): number => {
    switch (expression.kind) {
      case 'word': {
        let current = from;
        for (const word of normalizeWord(expression.text)) {
          const next = state();
          words[current].push({ word, to: next, ...weigh(word) });
          current = next;
        }
        return current;
      }
      case 'seq':
        return expression.items.reduce((current, item) => build(item, current), from);
      case 'alt': {
        const ends = expression.options.map((option) => {
          const start = state();
          eps[from].push(start);
          return build(option, start);
        });
        const end = state();
        for (const e of ends) eps[e].push(end);
        return end;
      }
      case 'list': {
        const next = state();
        slots[from].push({ list: expression.list, slot: expression.slot, to: next });
        return next;
      }
      case 'rule': {
        const next = state();
        ruleEdges[from].push({ rule: expression.name, to: next });
        return next;
      }
    }
  };
  const start = state();
  const accept = build({ kind: 'alt', options: templates.map((t) => t.expression) }, start);
  return { size: eps.length, accept, eps, words, slots, rules: ruleEdges };
}
