import type { Nfa } from './nfa.js';

/** What the filter needs to know about one utterance. */
export interface FilterInput {
  /** Normalised tokens. */
  readonly tokens: readonly string[];
  /** Per token: template words it may be a typo or homophone of, with the cost. */
  readonly substitutes: readonly (ReadonlyMap<string, number> | null)[];
  /** Cost of ignoring each token. */
  readonly skipCost: Float64Array;
  /** Function words: a token that is one may match a template's function word. */
  readonly isFunctionWord: (word: string) => boolean;
  /** Cheapest match of a slot list anywhere in the utterance (or the cost of leaving it out). */
  readonly slotFloor: (list: string) => number;
}

const free = (): number => 0;

/**
 * Decides which templates are worth aligning with an utterance, from lower bounds of what their
 * alignment can cost. Every template is indexed by its content words (its own and those of the
 * expansion rules it uses). A template that shares none with the utterance — not even as a typo,
 * homophone or inflection, which normalisation and `substitutes` supply — must do without all of
 * them, which costs at least its static floor; when it has no slot or rule to take the
 * utterance's words, it must also skip every content word said. Otherwise the bound is computed
 * on the automaton for this utterance: a word costs nothing when said, its deletion cost when
 * not; a slot or rule costs the cheapest it can match anywhere in the utterance.
 */
export class TemplateFilter {
  readonly #templates: readonly Nfa[];
  readonly #rules: ReadonlyMap<string, Nfa>;
  readonly #byWord = new Map<string, number[]>();
  readonly #staticFloor: Float64Array;
  readonly #open: Uint8Array;
  readonly #sharesWord: Uint8Array;
  readonly #scratch: Float64Array;
  #input: FilterInput | null = null;
  #unmatchedSkip = 0;
  /** Template word → id; per id, the cost of that word in the current utterance (Infinity: not said). */
  readonly #wordIds = new Map<string, number>();
  #said: Float64Array = new Float64Array(0);
  readonly #touched: number[] = [];
  /** Per template and state, the word ids of its word edges (parallel to `nfa.words`). */
  readonly #edgeWords = new Map<Nfa, readonly Int32Array[]>();
  readonly #ruleFloors = new Map<string, number>();

  /** `rules` must be acyclic, as `compileIntents` checks. */
  constructor(templates: readonly Nfa[], rules: ReadonlyMap<string, Nfa>) {
    this.#templates = templates;
    this.#rules = rules;
    this.#staticFloor = new Float64Array(templates.length);
    this.#open = new Uint8Array(templates.length);
    this.#sharesWord = new Uint8Array(templates.length);
    this.#scratch = new Float64Array(Math.max(1, ...templates.map((t) => t.size)));
    const ruleFloors = new Map<string, number>();
    const ruleFloor = (name: string): number => {
      let found = ruleFloors.get(name);
      if (found === undefined) {
        found = cheapestPath(rules.get(name) as Nfa, (word, content, deleteCost) => (content ? deleteCost : 0), free, ruleFloor);
        ruleFloors.set(name, found);
      }
      return found;
    };
    const ruleWordSets = new Map<string, ReadonlySet<string>>();
    const ruleWords = (name: string): ReadonlySet<string> => {
      let found = ruleWordSets.get(name);
      if (found === undefined) {
        found = contentWords(rules.get(name) as Nfa, ruleWords);
        ruleWordSets.set(name, found);
      }
      return found;
    };
    const idsOf = (nfa: Nfa): void => {
      this.#edgeWords.set(nfa, nfa.words.map((edges) => Int32Array.from(edges, (edge) => {
        let id = this.#wordIds.get(edge.word);
        if (id === undefined) {
          id = this.#wordIds.size;
          this.#wordIds.set(edge.word, id);
        }
        return id;
      })));
    };
    for (const rule of rules.values()) idsOf(rule);
    templates.forEach(idsOf);
    this.#said = new Float64Array(this.#wordIds.size).fill(Infinity);
    templates.forEach((nfa, index) => {
      this.#staticFloor[index] = cheapestPath(nfa, (word, content, deleteCost) => (content ? deleteCost : 0), free, ruleFloor);
      this.#open[index] = nfa.slots.some((edges) => edges.length > 0) || nfa.rules.some((edges) => edges.length > 0) ? 1 : 0;
      for (const word of contentWords(nfa, ruleWords)) {
        const list = this.#byWord.get(word);
        if (list === undefined) this.#byWord.set(word, [index]);
        else list.push(index);
      }
    });
  }

  /** Prepare for one utterance (the filter keeps it until the next call). */
  begin(input: FilterInput): void {
    this.#input = input;
    this.#sharesWord.fill(0);
    for (const id of this.#touched) this.#said[id] = Infinity;
    this.#touched.length = 0;
    this.#ruleFloors.clear();
    this.#unmatchedSkip = 0;
    const { tokens, substitutes } = input;
    for (let i = 0; i < tokens.length; i += 1) {
      this.#hear(tokens[i], 0);
      const subs = substitutes[i];
      if (subs !== null) for (const [word, cost] of subs) this.#hear(word, cost);
      // A word that can be no template's word must be skipped by a template without it.
      else if (!input.isFunctionWord(tokens[i])) this.#unmatchedSkip += input.skipCost[i];
    }
  }

  /** True when template `at` has a content word the utterance says (or a typo or homophone of one). */
  sharesWord(at: number): boolean {
    return this.#sharesWord[at] === 1;
  }

  /**
   * A lower bound of the cost of aligning template `at` with the utterance; may stop at any value
   * above `limit` once it knows the bound exceeds it.
   */
  floor(at: number, limit: number): number {
    if (this.#sharesWord[at] === 0) {
      const floor = this.#staticFloor[at] + (this.#open[at] === 1 ? 0 : this.#unmatchedSkip);
      if (floor > limit || this.#open[at] === 0) return floor;
    }
    return this.#bound(this.#templates[at], this.#scratch);
  }

  #hear(word: string, cost: number): void {
    const id = this.#wordIds.get(word);
    if (id === undefined || this.#said[id] <= cost) return;
    if (this.#said[id] === Infinity) this.#touched.push(id);
    this.#said[id] = cost;
    for (const at of this.#byWord.get(word) ?? []) this.#sharesWord[at] = 1;
  }

  #ruleFloor(name: string): number {
    let found = this.#ruleFloors.get(name);
    if (found === undefined) {
      found = this.#bound(this.#rules.get(name) as Nfa, new Float64Array((this.#rules.get(name) as Nfa).size));
      this.#ruleFloors.set(name, found);
    }
    return found;
  }

  /** `cheapestPath` for the current utterance, with word ids instead of a cost callback. */
  #bound(nfa: Nfa, cost: Float64Array): number {
    const input = this.#input as FilterInput;
    const ids = this.#edgeWords.get(nfa) as readonly Int32Array[];
    const said = this.#said;
    cost.fill(Infinity, 0, nfa.size);
    cost[0] = 0;
    for (let s = 0; s < nfa.size; s += 1) {
      const c = cost[s];
      if (c === Infinity) continue;
      const eps = nfa.eps[s];
      for (let k = 0; k < eps.length; k += 1) if (c < cost[eps[k]]) cost[eps[k]] = c;
      const words = nfa.words[s];
      const wordIds = ids[s];
      for (let k = 0; k < words.length; k += 1) {
        const edge = words[k];
        const heard = said[wordIds[k]];
        const value = c + (heard < edge.deleteCost ? heard : edge.deleteCost);
        if (value < cost[edge.to]) cost[edge.to] = value;
      }
      for (const edge of nfa.slots[s]) {
        const value = c + input.slotFloor(edge.list);
        if (value < cost[edge.to]) cost[edge.to] = value;
      }
      for (const edge of nfa.rules[s]) {
        const value = c + this.#ruleFloor(edge.rule);
        if (value < cost[edge.to]) cost[edge.to] = value;
      }
    }
    return cost[nfa.accept];
  }
}

/** Cheapest way through `nfa` with the given costs per word, slot and rule edge. */
function cheapestPath(nfa: Nfa, wordCost: (word: string, content: boolean, deleteCost: number) => number, slotCost: (list: string) => number,
  ruleCost: (rule: string) => number, scratch?: Float64Array): number {
  const cost = scratch ?? new Float64Array(nfa.size);
  cost.fill(Infinity, 0, nfa.size);
  cost[0] = 0;
  // States are in topological order: every edge goes to a higher state.
  for (let s = 0; s < nfa.size; s += 1) {
    const c = cost[s];
    if (c === Infinity) continue;
    for (const to of nfa.eps[s]) if (c < cost[to]) cost[to] = c;
    for (const edge of nfa.words[s]) {
      const value = c + wordCost(edge.word, edge.content === 1, edge.deleteCost);
      if (value < cost[edge.to]) cost[edge.to] = value;
    }
    for (const edge of nfa.slots[s]) {
      const value = c + slotCost(edge.list);
      if (value < cost[edge.to]) cost[edge.to] = value;
    }
    for (const edge of nfa.rules[s]) {
      const value = c + ruleCost(edge.rule);
      if (value < cost[edge.to]) cost[edge.to] = value;
    }
  }
  return cost[nfa.accept];
}

function contentWords(nfa: Nfa, ruleWords: (rule: string) => ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (let s = 0; s < nfa.size; s += 1) {
    for (const edge of nfa.words[s]) if (edge.content === 1) out.add(edge.word);
    for (const edge of nfa.rules[s]) for (const word of ruleWords(edge.rule)) out.add(word);
  }
  return out;
}
