import type { Expression } from './types.js';
import { tokenizeTemplate, TemplateSyntaxError, type TemplateToken } from './tokenizer.js';

const EMPTY: Expression = { kind: 'seq', items: [] };
// n! orders: keep permutations small enough to stay a readable grammar.
const MAX_PERMUTATION_ITEMS = 5;
// Deeper groups than any sentence needs would only exhaust the call stack.
const MAX_NESTING = 64;
// Nodes of the tree with shared subtrees counted once per use: what walking or matching it costs.
// Nested permutations multiply (three levels of five items made building the engine hang);
// the largest shipped template has under 100 nodes.
const MAX_EXPANDED_NODES = 10_000;

/**
 * Parse one template string into an expression tree.
 * @throws TemplateSyntaxError with the 0-based column of the problem.
 */
export function parseTemplate(text: string): Expression {
  const tokens = tokenizeTemplate(text);
  const parser = new Parser(tokens, text.length);
  const expression = parser.parseGroup(null);
  if (expandedSize(expression, new Map()) > MAX_EXPANDED_NODES) {
    throw new TemplateSyntaxError(`template too complex (over ${MAX_EXPANDED_NODES} nodes once its groups are expanded)`, 0);
  }
  return expression;
}

function expandedSize(expression: Expression, memo: Map<Expression, number>): number {
  const known = memo.get(expression);
  if (known !== undefined) return known;
  let size = 1;
  if (expression.kind === 'seq') for (const item of expression.items) size += expandedSize(item, memo);
  else if (expression.kind === 'alt') for (const option of expression.options) size += expandedSize(option, memo);
  memo.set(expression, size);
  return size;
}

class Parser {
  #tokens: readonly TemplateToken[];
  #pos = 0;
  #depth = 0;
  #end: number;

  constructor(tokens: readonly TemplateToken[], end: number) {
    this.#tokens = tokens;
    this.#end = end;
  }

  /** Parse until the matching closer (or the end when `closer` is null). */
  parseGroup(closer: 'close' | 'closeOptional' | null, openColumn = 0): Expression {
    if (this.#depth >= MAX_NESTING) throw new TemplateSyntaxError(`groups nested deeper than ${MAX_NESTING}`, openColumn);
    this.#depth += 1;
    try {
      return this.#parseGroup(closer, openColumn);
    } finally {
      this.#depth -= 1;
    }
  }

  #parseGroup(closer: 'close' | 'closeOptional' | null, openColumn: number): Expression {
    const alternatives: Expression[][] = [[]];
    let separator: 'pipe' | 'semicolon' | null = null;
    for (;;) {
      const token = this.#tokens[this.#pos];
      if (token === undefined) {
        if (closer !== null) throw new TemplateSyntaxError(closer === 'close' ? 'unclosed "("' : 'unclosed "["', openColumn);
        break;
      }
      this.#pos += 1;
      if (token.type === closer) break;
      switch (token.type) {
        case 'word':
          alternatives[alternatives.length - 1].push({ kind: 'word', text: token.text });
          break;
        case 'list':
          alternatives[alternatives.length - 1].push({ kind: 'list', list: token.list, slot: token.slot });
          break;
        case 'rule':
          alternatives[alternatives.length - 1].push({ kind: 'rule', name: token.name });
          break;
        case 'open':
          alternatives[alternatives.length - 1].push(this.parseGroup('close', token.column));
          break;
        case 'openOptional':
          alternatives[alternatives.length - 1].push(optional(this.parseGroup('closeOptional', token.column)));
          break;
        case 'pipe':
        case 'semicolon':
          if (closer === null && token.type === 'semicolon') throw new TemplateSyntaxError('";" is only allowed inside "( )"', token.column);
          if (separator !== null && separator !== token.type) throw new TemplateSyntaxError('cannot mix "|" and ";" in one group', token.column);
          separator = token.type;
          alternatives.push([]);
          break;
        default:
          throw new TemplateSyntaxError(`unexpected "${token.type === 'close' ? ')' : ']'}"`, token.column);
      }
    }
    const items = alternatives.map(sequence);
    if (separator === 'semicolon') return permutations(items, openColumn);
    if (items.length === 1) {
      if (closer === null && isEmpty(items[0])) throw new TemplateSyntaxError('empty template', this.#end);
      return items[0];
    }
    return { kind: 'alt', options: items };
  }
}

function sequence(items: Expression[]): Expression {
  return items.length === 1 ? items[0] : { kind: 'seq', items };
}

function isEmpty(expression: Expression): boolean {
  return expression.kind === 'seq' && expression.items.length === 0;
}

function optional(expression: Expression): Expression {
  if (expression.kind === 'alt') return { kind: 'alt', options: [...expression.options, EMPTY] };
  return { kind: 'alt', options: [expression, EMPTY] };
}

function permutations(items: Expression[], column: number): Expression {
  if (items.length > MAX_PERMUTATION_ITEMS) throw new TemplateSyntaxError(`a permutation may have at most ${MAX_PERMUTATION_ITEMS} items`, column);
  const orders: Expression[] = [];
  const walk = (chosen: Expression[], rest: Expression[]): void => {
    if (rest.length === 0) {
      orders.push({ kind: 'seq', items: chosen });
      return;
    }
    rest.forEach((item, i) => walk([...chosen, item], [...rest.slice(0, i), ...rest.slice(i + 1)]));
  };
  walk([], items);
  return { kind: 'alt', options: orders };
}
