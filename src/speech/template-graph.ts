import type { LiveLists } from '../contracts.js';
import { rangeExpression } from '../nlu/number-grammar.js';
import { spokenWords } from '../nlu/sample.js';
import type { Expression, IntentSet, ListDefinition } from '../nlu/types.js';
import { buildWordGraph } from './word-graph.js';
import type { GraphExpression, WordGraph } from './word-graph.js';

/**
 * The decoder's word graph straight from the intent templates and the live lists: exactly the
 * sentences the templates accept, the language `buildGrammar` writes as JSGF (lower-case spoken
 * words, numbers spelled out, skip words before and after). Each list and expansion rule is
 * converted once; the graph builder expands them at each use. Null when the graph would be too
 * large (see word-graph.ts).
 */
export function templateWordGraph(set: IntentSet, lists: LiveLists, maxStates?: number): WordGraph | null {
  const rules = new Map<string, GraphExpression>();
  for (const [name, rule] of Object.entries(set.expansionRules)) rules.set(`rule:${name}`, convert(rule.expression));
  for (const [name, list] of Object.entries(set.lists)) {
    rules.set(`list:${name}`, listExpression(list, lists[name] ?? (list.kind === 'wildcard' ? list.freeText?.spoken : undefined) ?? []));
  }
  const commands = alt(set.intents.flatMap((intent) => intent.data.flatMap((data) => data.sentences.map((s) => convert(s.expression)))));
  const skip = [...new Map(set.skipWords.map(spokenWords).filter((w) => w.length > 0).map((w) => [w.join(' '), w])).values()];
  if (skip.length === 0) return buildWordGraph(commands, rules, maxStates);
  const skipWords: GraphExpression = { kind: 'opt', item: alt(skip.map(words)) };
  return buildWordGraph({ kind: 'seq', items: [skipWords, commands, skipWords] }, rules, maxStates);
}

function listExpression(list: ListDefinition, live: readonly string[]): GraphExpression {
  switch (list.kind) {
    case 'range':
      return convert(rangeExpression(list));
    case 'values':
      return alt(list.values.map((value) => convert(value.in.expression)));
    case 'wildcard':
      return alt([...new Map(live.map(spokenWords).filter((w) => w.length > 0).map((w) => [w.join(' '), w])).values()].map(words));
  }
}

function convert(expression: Expression): GraphExpression {
  switch (expression.kind) {
    case 'word':
      return words(spokenWords(expression.text));
    case 'seq':
      return { kind: 'seq', items: expression.items.map(convert) };
    case 'alt':
      return alt(expression.options.map(convert));
    case 'list':
      return { kind: 'ref', name: `list:${expression.list}` };
    case 'rule':
      return { kind: 'ref', name: `rule:${expression.name}` };
  }
}

const words = (spoken: readonly string[]): GraphExpression =>
  spoken.length === 1 ? { kind: 'word', word: spoken[0] } : { kind: 'seq', items: spoken.map((word) => ({ kind: 'word', word })) };

const alt = (options: GraphExpression[]): GraphExpression => (options.length === 1 ? options[0] : { kind: 'alt', options });
