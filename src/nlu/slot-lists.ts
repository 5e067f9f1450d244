import type { SlotValue } from '../contracts.js';
import { editDistance } from './fuzzy.js';
import type { SlotMatch } from './matcher.js';
import type { Token } from './normalize.js';
import type { ListDefinition } from './types.js';

/** One known value of a list, pre-normalised for matching. */
export interface ValueEntry {
  readonly tokens: readonly string[];
  readonly joined: string;
  /** Consonant skeleton, for sound-alike spellings ("starlite" / "starlight"). */
  readonly skeleton: string;
  readonly value: SlotValue;
}

/** A list ready for matching: its values, and an index of value fragments for partial names. */
export interface PreparedList {
  readonly entries: readonly ValueEntry[];
  readonly byFirstToken: ReadonlyMap<string, readonly ValueEntry[]>;
  readonly fragments: ReadonlyMap<string, readonly ValueEntry[]>;
}

/** Costs of the ways a slot can match; see `createIntentEngine` for the defaults. */
export interface SlotCosts {
  /** Cost of an unknown value of a wildcard list that has live values, by list name. */
  readonly unknownValue: (list: string) => number;
  /** Cost of a value of a wildcard list when no live values were given for it. */
  readonly openWildcard: number;
}

/** Longest span an unknown value may have (in words). */
const MAX_UNKNOWN_WORDS = 4;
const PARTIAL_COST = 0.35;
const FREE_TEXT_COST = 0.1;
// Words a recogniser writes for a spoken number ("rate Nova for stars").
const NUMBER_HOMOPHONES: Readonly<Record<string, number>> = { for: 4, to: 2, too: 2, won: 1, ate: 8 };
const DETERMINERS: ReadonlySet<string> = new Set(['the', 'a', 'an', 'some', 'this', 'that', 'these', 'those', 'any']);

export function prepareList(values: readonly { readonly phrase: readonly string[]; readonly value: SlotValue }[], stopwords: ReadonlySet<string>): PreparedList {
  const entries: ValueEntry[] = [];
  const byFirstToken = new Map<string, ValueEntry[]>();
  const fragments = new Map<string, ValueEntry[]>();
  for (const { phrase, value } of values) {
    if (phrase.length === 0) continue;
    const entry: ValueEntry = { tokens: phrase, joined: phrase.join(''), skeleton: skeleton(phrase.join('')), value };
    entries.push(entry);
    const first = byFirstToken.get(phrase[0]) ?? [];
    first.push(entry);
    byFirstToken.set(phrase[0], first);
    // Every proper contiguous part of a multi-word value ("kenji" of "kenji sato").
    for (let a = 0; a < phrase.length; a += 1) {
      for (let b = a + 1; b <= phrase.length; b += 1) {
        if (b - a === phrase.length) continue;
        const part = phrase.slice(a, b);
        if (part.every((t) => stopwords.has(t) || /^\d+$/.test(t))) continue;
        const key = part.join(' ');
        const list = fragments.get(key) ?? [];
        if (!list.includes(entry)) list.push(entry);
        fragments.set(key, list);
      }
    }
  }
  return { entries, byFirstToken, fragments };
}

/** Per-utterance slot matching over the prepared lists, memoised per (list, start). */
export class SlotMatcher {
  #memo = new Map<string, readonly SlotMatch[]>();

  constructor(
    private readonly tokens: readonly Token[],
    private readonly definitions: Readonly<Record<string, ListDefinition>>,
    private readonly prepared: (list: string) => PreparedList | null,
    private readonly isOpenWord: (token: Token, index: number) => boolean,
    private readonly costs: SlotCosts,
  ) {}

  matches(list: string, start: number): readonly SlotMatch[] {
    const key = `${list}\u0000${start}`;
    let result = this.#memo.get(key);
    if (result === undefined) {
      result = this.#compute(list, start);
      this.#memo.set(key, result);
    }
    return result;
  }

  #compute(list: string, start: number): readonly SlotMatch[] {
    const definition = this.definitions[list];
    const tokens = this.tokens;
    if (definition.kind === 'range') {
      const token = tokens[start].norm;
      const heard = Object.hasOwn(NUMBER_HOMOPHONES, token) ? NUMBER_HOMOPHONES[token] : undefined;
      if (!/^\d+$/.test(token) && heard === undefined) return [];
      const value = heard ?? Number(token);
      const fits = value >= definition.from && value <= definition.to && (value - definition.from) % definition.step === 0;
      return fits ? [{ end: start + 1, value, cost: heard === undefined ? 0 : 0.3 }] : [];
    }
    const prepared = this.prepared(list);
    if (definition.kind === 'wildcard' && definition.freeText) {
      // A phrase the recogniser grammar offers is matched exactly, the words kept as said.
      const known = prepared === null ? [] : knownMatches(prepared, tokens, start).filter((m) => m.cost === 0).map((m) => ({ ...m, value: rawText(tokens, start, m.end) }));
      return [...known, ...freeTextMatches(tokens, start, definition.freeText.maxWords)];
    }
    const known = prepared === null ? [] : knownMatches(prepared, tokens, start);
    if (definition.kind === 'values' || known.length > 0) return known;
    // A wildcard with no known value here: accept unknown words (the dialog can say so).
    const hasLive = prepared !== null && prepared.entries.length > 0;
    const base = hasLive ? this.costs.unknownValue(list) : this.costs.openWildcard;
    const out: SlotMatch[] = [];
    // "follow the yellow brick road" is not a designer called "yellow brick road".
    if (start > 0 && DETERMINERS.has(tokens[start - 1].norm)) return out;
    for (let end = start + 1; end <= Math.min(tokens.length, start + MAX_UNKNOWN_WORDS); end += 1) {
      if (!this.isOpenWord(tokens[end - 1], end - 1)) break;
      out.push({ end, value: rawText(tokens, start, end), cost: base + 0.1 * (end - start - 1) });
    }
    return out;
  }
}

/**
 * Any run of words from `start` (a review, a message), as said. A small cost that grows with the
 * length, so words a template names around it (stars, a designer) are matched by the template.
 */
function freeTextMatches(tokens: readonly Token[], start: number, maxWords: number): SlotMatch[] {
  const out: SlotMatch[] = [];
  for (let end = start + 1; end <= Math.min(tokens.length, start + maxWords); end += 1) {
    out.push({ end, value: rawText(tokens, start, end), cost: FREE_TEXT_COST + 0.002 * (end - start) });
  }
  return out;
}

/** The words as spoken (case kept), one per surface word. */
export function rawText(tokens: readonly Token[], start: number, end: number): string {
  const words: string[] = [];
  let last = -1;
  for (let i = start; i < end; i += 1) {
    if (tokens[i].rawIndex !== last) words.push(tokens[i].raw);
    last = tokens[i].rawIndex;
  }
  return words.join(' ');
}

function knownMatches(list: PreparedList, tokens: readonly Token[], start: number): SlotMatch[] {
  const best = new Map<number, SlotMatch>();
  const offer = (m: SlotMatch): void => {
    const current = best.get(m.end);
    if (current === undefined || m.cost < current.cost) best.set(m.end, m);
  };
  // Exact values, word for word.
  for (const entry of list.byFirstToken.get(tokens[start].norm) ?? []) {
    if (start + entry.tokens.length > tokens.length) continue;
    let same = true;
    for (let k = 1; k < entry.tokens.length && same; k += 1) same = tokens[start + k].norm === entry.tokens[k];
    if (same) offer({ end: start + entry.tokens.length, value: entry.value, cost: 0 });
  }
  // Fuzzy values: typos, ASR confusions, split or joined words ("neon dragons", "kenji satoh").
  // The joined spans and their sound keys depend only on the length, so they are built once.
  const first = tokens[start].norm[0];
  const spans: string[] = [];
  const keys: string[] = [];
  for (const entry of list.entries) {
    if (entry.joined[0] !== first || entry.joined.length < 4) continue;
    const maxEdits = Math.max(1, Math.floor(entry.joined.length / 5));
    for (let len = Math.max(1, entry.tokens.length - 1); len <= entry.tokens.length + 1 && start + len <= tokens.length; len += 1) {
      while (spans.length < len) {
        const joined = (spans.length === 0 ? '' : spans[spans.length - 1]) + tokens[start + spans.length].norm;
        spans.push(joined);
        keys.push(skeleton(joined));
      }
      const joined = spans[len - 1];
      if (entry.skeleton.length >= 4 && keys[len - 1] === entry.skeleton) offer({ end: start + len, value: entry.value, cost: 0.25 });
      if (Math.abs(joined.length - entry.joined.length) > maxEdits) continue;
      const distance = editDistance(joined, entry.joined, maxEdits);
      if (distance > maxEdits) continue;
      if (distance === 0 && len === entry.tokens.length) continue;
      offer({ end: start + len, value: entry.value, cost: distance === 0 ? 0.05 : 0.1 + (0.6 * distance) / entry.joined.length + 0.05 * distance });
    }
  }
  // Part of a multi-word value, when it names exactly one value ("Kenji" for "Kenji Sato").
  let key = '';
  for (let end = start + 1; end <= Math.min(tokens.length, start + 3); end += 1) {
    key = key === '' ? tokens[end - 1].norm : `${key} ${tokens[end - 1].norm}`;
    const hits = list.fragments.get(key);
    if (hits !== undefined && hits.length === 1) offer({ end, value: hits[0].value, cost: PARTIAL_COST });
  }
  return [...best.values()];
}

/** A crude sound key: silent "gh" and vowels after the first letter dropped, doubles collapsed. */
export function skeleton(word: string): string {
  const folded = word.replace(/ph/g, 'f').replace(/ck/g, 'k').replace(/gh/g, '').replace(/y/g, 'i');
  return (folded[0] ?? '') + folded.slice(1).replace(/[aeiou]/g, '').replace(/(.)\1+/g, '$1');
}
