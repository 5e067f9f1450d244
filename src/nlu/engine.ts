import type { LiveLists, SlotValue, Understanding } from '../contracts.js';
import { expand } from './expand.js';
import { isTypoOf } from './fuzzy.js';
import { buildInflectionMap } from './inflect.js';
import { STOPWORDS } from './lexicon.js';
import { matchNfa, matchSpans, type MatchContext, type SpanMatch } from './matcher.js';
import { buildNfa, type Nfa } from './nfa.js';
import { fillerMask, normalizeText, type Token } from './normalize.js';
import { TemplateFilter } from './prefilter.js';
import { prepareList, SlotMatcher, type PreparedList } from './slot-lists.js';
import { walk } from './compile.js';
import type { IntentSet } from './types.js';

export interface IntentEngineOptions {
  /** Below this confidence the answer is `intent: null`. Default 0.5. */
  readonly threshold?: number;
  /**
   * Cost of a wildcard value that is not in the live list, by list name (confidence is
   * 1 / (1 + total cost)). Default: 0.5 for `designer` (so "subscribe to Bob" reaches the dialog,
   * which can say it does not know Bob), 1.3 for any other list (an unknown chip is never bought).
   */
  readonly unknownValueCost?: Readonly<Record<string, number>>;
  /** How many other intents to report in `alternatives`. Default 3. */
  readonly alternatives?: number;
}

export interface IntentEngine {
  /** Understand one utterance against the live lists (designers, chips, tags …). Never throws on input. */
  recognize(text: string, lists: LiveLists): Understanding;
  /** The normalised words of a text, as the matcher sees them (for debugging and tests). */
  normalize(text: string): string[];
}

// Costs of the alignment (see matcher.ts); confidence = 1 / (1 + cost).
const COST = {
  filler: 0.03,
  stopword: 0.3,
  number: 0.6,
  domainWord: 0.7,
  unknownWord: 1.0,
  deleteStopword: 0.25,
  deleteWord: 0.9,
  typo: 0.3,
  homophone: 0.3,
  deleteSlot: 1.6,
  noEvidence: 0.6,
  max: 1.5,
  openWildcard: 0.2,
  unknownDesigner: 0.5,
  unknownOther: 1.3,
} as const;

// Words recognisers confuse; both directions (digits are what "four" and "two" normalise to).
const HOMOPHONES: readonly (readonly [string, string])[] = [['buy', 'by'], ['buy', 'bye'], ['4', 'for'], ['2', 'to'], ['2', 'too'], ['new', 'knew'], ['sale', 'sail'], ['8', 'ate'], ['1', 'won']];

interface CompiledData {
  readonly intent: string;
  readonly nfa: Nfa;
  readonly slots: Readonly<Record<string, SlotValue>>;
}

/**
 * Build the recogniser for an intent set. Everything that does not depend on the live lists is
 * precomputed here (automata, inflection table, static lists); live lists are prepared once per
 * array instance (a new array = a new lists version).
 */
export function createIntentEngine(set: IntentSet, options: IntentEngineOptions = {}): IntentEngine {
  const threshold = options.threshold ?? 0.5;
  const alternativesWanted = options.alternatives ?? 3;
  const unknownCosts = options.unknownValueCost ?? {};

  const surface = new Set<string>();
  const collect = (expression: Parameters<typeof walk>[0]): void => walk(expression, (node) => {
    if (node.kind === 'word') for (const t of normalizeText(node.text)) surface.add(t.norm);
  });
  for (const intent of set.intents) for (const data of intent.data) for (const s of data.sentences) collect(s.expression);
  for (const rule of Object.values(set.expansionRules)) collect(rule.expression);
  for (const list of Object.values(set.lists)) if (list.kind === 'values') for (const v of list.values) collect(v.in.expression);
  const inflections = buildInflectionMap(surface);
  const normWords = (text: string): string[] => normalizeText(text, inflections).map((t) => t.norm);
  const vocabulary = new Set([...surface].map((w) => inflections.get(w) ?? w));

  const weigh = (word: string): { content: 0 | 1; deleteCost: number } => (STOPWORDS.has(word)
    ? { content: 0, deleteCost: COST.deleteStopword }
    : { content: 1, deleteCost: COST.deleteWord });
  // One automaton per sentence, so the index below can leave most of them out.
  const compiled: CompiledData[] = set.intents.flatMap((intent) => intent.data.flatMap((data) => data.sentences.map((sentence) => ({
    intent: intent.name,
    nfa: buildNfa([sentence], normWords, weigh),
    slots: data.slots,
  }))));

  const ruleNfas = new Map(Object.entries(set.expansionRules).map(([name, rule]) => [name, buildNfa([rule], normWords, weigh)]));
  const filter = new TemplateFilter(compiled.map((c) => c.nfa), ruleNfas);
  // A template sharing no word with the utterance is aligned only when it might reach the
  // threshold (with a little room for a near tie, which makes the dialog ask again).
  const noWordLimit = Math.min(COST.max, 1 / threshold - 1 + 0.05);
  const staticLists = new Map<string, PreparedList>();
  for (const [name, list] of Object.entries(set.lists)) {
    if (list.kind !== 'values') continue;
    const phrases = list.values.flatMap((value) => [...expand(value.in.expression, set.expansionRules, () => [], 200)]
      .map((e) => ({ phrase: normWords(e.words.join(' ')), value: value.out })));
    staticLists.set(name, prepareList(phrases, STOPWORDS));
  }
  const liveCache = new WeakMap<readonly string[], PreparedList>();
  const prepareLive = (values: readonly string[]): PreparedList => {
    let prepared = liveCache.get(values);
    if (prepared === undefined) {
      prepared = prepareList(values.map((value) => ({ phrase: normWords(value), value })), STOPWORDS);
      liveCache.set(values, prepared);
    }
    return prepared;
  };

  const skipPhrases = new Set(set.skipWords.flatMap((w) => normalizeText(w).map((t) => t.word)));
  const homophones = new Map<string, Set<string>>();
  for (const [a, b] of HOMOPHONES) {
    homophones.set(a, (homophones.get(a) ?? new Set()).add(b));
    homophones.set(b, (homophones.get(b) ?? new Set()).add(a));
  }
  // Template words a spoken word may stand for (typos, homophones), remembered per spoken word.
  const vocabularyList = [...vocabulary];
  const substituteCache = new Map<string, ReadonlyMap<string, number> | null>();
  const substitutesOf = (spoken: string): ReadonlyMap<string, number> | null => {
    let found = substituteCache.get(spoken);
    if (found === undefined) {
      const map = new Map<string, number>();
      for (const word of homophones.get(spoken) ?? []) map.set(word, COST.homophone);
      if (!vocabulary.has(spoken)) for (const word of vocabularyList) if (isTypoOf(spoken, word)) map.set(word, COST.typo);
      found = map.size > 0 ? map : null;
      if (substituteCache.size > 20_000) substituteCache.clear();
      substituteCache.set(spoken, found);
    }
    return found;
  };

  const recognize = (text: string, lists: LiveLists): Understanding => {
    const tokens = normalizeText(text, inflections);
    if (tokens.length === 0) return { text, intent: null, confidence: 0, slots: {} };
    const fillers = fillerMask(tokens, skipPhrases);
    const norms = tokens.map((t) => t.norm);
    const skipCost = new Float64Array(tokens.length);
    tokens.forEach((t, i) => {
      skipCost[i] = fillers[i] ? COST.filler
        : STOPWORDS.has(t.norm) ? COST.stopword
          : /^\d+$/.test(t.norm) ? COST.number
            : vocabulary.has(t.norm) ? COST.domainWord : COST.unknownWord;
    });
    const isOpenWord = (t: Token, i: number): boolean => !fillers[i] && !STOPWORDS.has(t.norm) && !vocabulary.has(t.norm) && !/^\d+$/.test(t.norm) && t.norm.length > 1;
    const slotMatcher = new SlotMatcher(tokens, set.lists, (name) => {
      const definition = set.lists[name];
      if (definition.kind === 'values') return staticLists.get(name) ?? null;
      const live = Object.hasOwn(lists, name) ? lists[name] : definition.kind === 'wildcard' ? definition.freeText?.spoken : undefined;
      return Array.isArray(live) ? prepareLive(live) : null;
    }, isOpenWord, {
      unknownValue: (name) => unknownCosts[name] ?? (name === 'designer' ? COST.unknownDesigner : COST.unknownOther),
      openWildcard: COST.openWildcard,
    });
    const ruleMemo = new Map<string, readonly SpanMatch[]>();
    const ctx: MatchContext = {
      ruleMatches: (rule, start) => {
        const key = `${rule}\u0000${start}`;
        let found = ruleMemo.get(key);
        if (found === undefined) {
          // compileIntents has checked that every rule exists and none is recursive.
          found = matchSpans(ruleNfas.get(rule) as Nfa, ctx, COST.max, start);
          ruleMemo.set(key, found);
        }
        return found;
      },
      tokens: norms,
      skipCost,
      slotDeleteCost: COST.deleteSlot,
      noEvidenceCost: COST.noEvidence,
      substitutes: norms.map(substitutesOf),
      slotMatches: (list, start) => slotMatcher.matches(list, start),
    };

    // What a slot costs at best anywhere in this utterance (for the filter's bounds).
    const slotFloors = new Map<string, number>();
    filter.begin({
      tokens: norms,
      substitutes: ctx.substitutes,
      skipCost,
      isFunctionWord: (word) => STOPWORDS.has(word),
      slotFloor: (list) => {
        let best = slotFloors.get(list);
        if (best === undefined) {
          best = COST.deleteSlot;
          for (let i = 0; i < norms.length; i += 1) for (const m of slotMatcher.matches(list, i)) if (m.cost < best) best = m.cost;
          slotFloors.set(list, best);
        }
        return best;
      },
    });
    const bestByIntent = new Map<string, { cost: number; slots: Record<string, SlotValue> }>();
    // Only the best template of each intent, and the best `alternativesWanted + 1` intents, are
    // reported: a template that cannot improve on either is not aligned. After an exact match
    // only other exact ones are looked for (a tie is still reported as an alternative).
    let reportedCutoff: number = COST.max;
    let exact = false;
    for (let at = 0; at < compiled.length; at += 1) {
      const data = compiled[at];
      const current = bestByIntent.get(data.intent);
      let limit = exact ? 0 : current === undefined ? reportedCutoff : current.cost;
      if (!filter.sharesWord(at)) limit = Math.min(limit, noWordLimit);
      if (filter.floor(at, limit) > limit) continue;
      const match = matchNfa(data.nfa, ctx, limit);
      if (match === null || (current !== undefined && match.cost >= current.cost - 1e-9)) continue;
      bestByIntent.set(data.intent, { cost: match.cost, slots: { ...data.slots, ...match.slots } });
      if (match.cost === 0) exact = true;
      if (bestByIntent.size > alternativesWanted) reportedCutoff = nthCost(bestByIntent, alternativesWanted);
    }
    const ranked = [...bestByIntent].sort((a, b) => a[1].cost - b[1].cost);
    const confidenceOf = (cost: number): number => Math.round((1 / (1 + cost)) * 1000) / 1000;
    const alternatives = ranked.slice(1, 1 + alternativesWanted).map(([intent, m]) => ({ intent, confidence: confidenceOf(m.cost), slots: m.slots }));
    const top = ranked[0];
    if (top === undefined) return { text, intent: null, confidence: 0, slots: {} };
    const confidence = confidenceOf(top[1].cost);
    if (confidence < threshold) {
      return { text, intent: null, confidence, slots: {}, alternatives: ranked.slice(0, alternativesWanted).map(([intent, m]) => ({ intent, confidence: confidenceOf(m.cost), slots: m.slots })) };
    }
    return alternatives.length > 0
      ? { text, intent: top[0], confidence, slots: top[1].slots, alternatives }
      : { text, intent: top[0], confidence, slots: top[1].slots };
  };

  return { recognize, normalize: (text) => normalizeText(text, inflections).map((t) => t.norm) };
}

/** The `n`-th lowest cost (0-based) among the intents found so far. */
function nthCost(best: ReadonlyMap<string, { readonly cost: number }>, n: number): number {
  const costs: number[] = [];
  for (const entry of best.values()) costs.push(entry.cost);
  costs.sort((a, b) => a - b);
  return costs[n];
}
