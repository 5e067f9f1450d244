import type { SlotValue } from '../contracts.js';
import type { SourceLocation } from './errors.js';

/**
 * The expression tree of one template. Sugar is removed at parse time: `[x]` is an alternative
 * with an empty sequence, `(a;b)` permutations become alternatives of every order.
 */
export type Expression =
  | { readonly kind: 'word'; readonly text: string }
  | { readonly kind: 'seq'; readonly items: readonly Expression[] }
  | { readonly kind: 'alt'; readonly options: readonly Expression[] }
  | { readonly kind: 'list'; readonly list: string; readonly slot: string }
  | { readonly kind: 'rule'; readonly name: string };

/** A template string with its parsed tree and where it was written. */
export interface Template {
  readonly text: string;
  readonly expression: Expression;
  readonly location: SourceLocation;
}

export interface ListValue {
  /** The spoken form, itself a template (`in`). */
  readonly in: Template;
  /** The normalised slot value (`out`; defaults to the `in` text). */
  readonly out: SlotValue;
}

/** A slot list: fixed values, an integer range, or a wildcard filled at run time (LiveLists). */
export type ListDefinition =
  | { readonly kind: 'values'; readonly values: readonly ListValue[]; readonly location: SourceLocation }
  | { readonly kind: 'range'; readonly from: number; readonly to: number; readonly step: number; readonly location: SourceLocation }
  | { readonly kind: 'wildcard'; readonly location: SourceLocation; readonly freeText?: FreeText };

/**
 * A wildcard list that takes any words (a review, a message): up to `maxWords`, as said. A
 * recogniser grammar cannot hold any words, so speech offers the `spoken` phrases (and the live
 * list's values, when given) while typed text may say anything.
 */
export interface FreeText {
  readonly maxWords: number;
  readonly spoken: readonly string[];
}

/** One `data` block of an intent: sentences sharing the same fixed slot values. */
export interface IntentData {
  readonly sentences: readonly Template[];
  /** Fixed slot values; a slot captured from the sentence wins over a fixed one. */
  readonly slots: Readonly<Record<string, SlotValue>>;
  readonly location: SourceLocation;
}

/** One parsed YAML template file (nothing resolved yet). */
export interface IntentFile {
  readonly fileName: string;
  readonly language: string;
  readonly intents: Readonly<Record<string, readonly IntentData[]>>;
  readonly lists: Readonly<Record<string, ListDefinition>>;
  readonly expansionRules: Readonly<Record<string, Template>>;
  readonly skipWords: readonly string[];
}

/** One intent after merging all files. */
export interface CompiledIntent {
  readonly name: string;
  readonly data: readonly IntentData[];
}

/**
 * Several files merged, every reference checked. The input of the engine, the sampler and the
 * grammar export.
 */
export interface IntentSet {
  readonly language: string;
  readonly intents: readonly CompiledIntent[];
  readonly lists: Readonly<Record<string, ListDefinition>>;
  readonly expansionRules: Readonly<Record<string, Template>>;
  readonly skipWords: readonly string[];
}
