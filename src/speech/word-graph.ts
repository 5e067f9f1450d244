/**
 * A grammar turned into the smallest deterministic word graph that accepts the same sentences,
 * for the decoder's finite-state search: from the intent templates' expressions (template-graph.ts)
 * or from JSGF text (grammars given as JSGF, e.g. in tests).
 *
 * PocketSphinx's own JSGF compiler inlines every rule reference as a copy joined by null
 * transitions; for the command grammar that is ~25 000 states, and the search then spends its time
 * following null transitions and entering every word reachable through them at each word end
 * (measured: 60× the CPU of a small grammar, most of it not in scoring the audio). A deterministic,
 * minimal graph has no null transitions except into the final state, one arc per distinct next
 * word, and shares every common ending, so each word end leads to exactly one state.
 *
 * Of JSGF only what this service writes is supported: rules, `( | )`, `[ ]`, rule references,
 * `<NULL>`, `<VOID>` and words. Weights, `*` and `+` (the garbage loop) return null: the caller
 * then compiles the grammar the usual way.
 */

export interface WordGraph {
  readonly states: number;
  readonly start: number;
  readonly final: number;
  /** The distinct words; arcs name them by index. */
  readonly words: readonly string[];
  /** Triples `from, to, word index` (typed: a grammar is copied to a worker thread with each stream). */
  readonly arcs: Uint32Array;
  /** Pairs `from, to`: accepting states that also go on, joined to `final`. */
  readonly nulls: Uint32Array;
}

/** A grammar's structure: words, sequences, alternatives, optionals and references to named rules. */
export type GraphExpression =
  | { readonly kind: 'word'; readonly word: string }
  | { readonly kind: 'ref'; readonly name: string }
  | { readonly kind: 'seq'; readonly items: readonly GraphExpression[] }
  | { readonly kind: 'alt'; readonly options: readonly GraphExpression[] }
  | { readonly kind: 'opt'; readonly item: GraphExpression };

type Node = GraphExpression;

class Unsupported extends Error {}

/** Most DFA states built before giving up (a grammar this large belongs to the usual compiler). */
const MAX_STATES = 400_000;

/** The minimal deterministic word graph of the JSGF grammar's public rule, or null (see above). */
export function compileWordGraph(jsgf: string): WordGraph | null {
  try {
    const { rules, publicRule } = parseRules(jsgf);
    if (!publicRule) return null;
    return buildWordGraph({ kind: 'ref', name: publicRule }, rules);
  } catch (error) {
    if (error instanceof Unsupported) return null;
    throw error;
  }
}

/**
 * The minimal deterministic word graph of `root` (rule references resolved in `rules`), or null
 * when a reference is missing or recursive or a graph on the way would pass `maxStates` states.
 */
export function buildWordGraph(root: GraphExpression, rules: ReadonlyMap<string, GraphExpression>, maxStates = MAX_STATES): WordGraph | null {
  try {
    const nfa = new Nfa(rules, maxStates);
    const start = nfa.state();
    const end = nfa.state();
    nfa.build(root, start, end);
    return minimize(determinize(nfa, start, end));
  } catch (error) {
    if (error instanceof Unsupported) return null;
    throw error;
  }
}

/** A test of whole sentences against the graph (tests, diagnostics): true when the words lead to an end. */
export function graphAcceptor(graph: WordGraph): (words: readonly string[]) => boolean {
  const next = new Map<string, number>();
  for (let i = 0; i < graph.arcs.length; i += 3) next.set(`${graph.arcs[i]} ${graph.words[graph.arcs[i + 2]]}`, graph.arcs[i + 1]);
  const ending = new Set([graph.final]);
  for (let i = 0; i < graph.nulls.length; i += 2) if (graph.nulls[i + 1] === graph.final) ending.add(graph.nulls[i]);
  return (words) => {
    let state: number | undefined = graph.start;
    for (const w of words) {
      state = next.get(`${state} ${w}`);
      if (state === undefined) return false;
    }
    return ending.has(state);
  };
}

function parseRules(jsgf: string): { rules: Map<string, Node>; publicRule: string | null } {
  const rules = new Map<string, Node>();
  let publicRule: string | null = null;
  // Comments and the header carry no rules; every rule ends with `;` (bodies hold none).
  const text = jsgf.replace(/\/\/[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
  for (const statement of text.split(';')) {
    const m = /^\s*(public\s+)?<([^>]+)>\s*=([\s\S]*)$/.exec(statement);
    if (!m) {
      if (/^\s*(#JSGF[^\n]*|grammar\s+\S+|import\s+\S+)?\s*$/.test(statement)) continue;
      throw new Unsupported(statement.slice(0, 40));
    }
    rules.set(m[2], parseBody(m[3]));
    if (m[1] && publicRule === null) publicRule = m[2];
  }
  return { rules, publicRule };
}

function parseBody(body: string): Node {
  const tokens = body.match(/<[^>]+>|[()[\]|]|[^\s()[\]|<>]+/g) ?? [];
  let i = 0;
  const alt = (): Node => {
    const options = [seq()];
    while (tokens[i] === '|') {
      i++;
      options.push(seq());
    }
    return options.length === 1 ? options[0] : { kind: 'alt', options };
  };
  const seq = (): Node => {
    const items: Node[] = [];
    for (;;) {
      const t = tokens[i];
      if (t === undefined || t === '|' || t === ')' || t === ']') break;
      i++;
      if (t === '(' || t === '[') {
        const inner = alt();
        if (tokens[i++] !== (t === '(' ? ')' : ']')) throw new Unsupported('unbalanced group');
        items.push(t === '(' ? inner : { kind: 'opt', item: inner });
      } else if (t.startsWith('<')) {
        const name = t.slice(1, -1);
        if (name === 'NULL') items.push({ kind: 'seq', items: [] });
        else if (name === 'VOID') items.push({ kind: 'alt', options: [] });
        else items.push({ kind: 'ref', name });
      } else if (/^[/*+]|[/*+]$|^\{/.test(t)) {
        throw new Unsupported(t);
      } else {
        items.push({ kind: 'word', word: t });
      }
    }
    return items.length === 1 ? items[0] : { kind: 'seq', items };
  };
  const node = alt();
  if (i !== tokens.length) throw new Unsupported('trailing tokens');
  return node;
}

/**
 * Thompson-style automaton with null moves. A rule reference is spliced in as a copy of the rule's
 * own minimal graph (built once per rule), not of its expression: a number range or a long list
 * used in many places then costs a few states at each, and determinizing stays fast.
 */
class Nfa {
  readonly words: [number, string][][] = [];
  readonly nulls: number[][] = [];
  readonly #rules: ReadonlyMap<string, Node>;
  readonly maxStates: number;
  readonly #graphs: Map<string, WordGraph>;
  readonly #active: Set<string>;

  constructor(rules: ReadonlyMap<string, Node>, maxStates: number, graphs = new Map<string, WordGraph>(), active = new Set<string>()) {
    this.#rules = rules;
    this.maxStates = maxStates;
    this.#graphs = graphs;
    this.#active = active;
  }

  state(): number {
    this.words.push([]);
    this.nulls.push([]);
    return this.words.length - 1;
  }

  build(node: Node, from: number, to: number): void {
    switch (node.kind) {
      case 'word':
        this.words[from].push([to, node.word]);
        return;
      case 'ref': {
        const graph = this.#ruleGraph(node.name);
        const map = Array.from({ length: graph.states }, () => this.state());
        for (let i = 0; i < graph.arcs.length; i += 3) this.words[map[graph.arcs[i]]].push([map[graph.arcs[i + 1]], graph.words[graph.arcs[i + 2]]]);
        for (let i = 0; i < graph.nulls.length; i += 2) this.nulls[map[graph.nulls[i]]].push(map[graph.nulls[i + 1]]);
        this.nulls[from].push(map[graph.start]);
        this.nulls[map[graph.final]].push(to);
        return;
      }
      case 'opt':
        this.nulls[from].push(to);
        this.build(node.item, from, to);
        return;
      case 'alt':
        for (const option of node.options) this.build(option, from, to);
        return;
      case 'seq': {
        if (node.items.length === 0) {
          this.nulls[from].push(to);
          return;
        }
        let at = from;
        node.items.forEach((item, k) => {
          const next = k === node.items.length - 1 ? to : this.state();
          this.build(item, at, next);
          at = next;
        });
        return;
      }
    }
  }

  #ruleGraph(name: string): WordGraph {
    const found = this.#graphs.get(name);
    if (found) return found;
    const rule = this.#rules.get(name);
    if (!rule || this.#active.has(name)) throw new Unsupported(`rule ${name}`);
    this.#active.add(name);
    const nfa = new Nfa(this.#rules, this.maxStates, this.#graphs, this.#active);
    const start = nfa.state();
    const end = nfa.state();
    nfa.build(rule, start, end);
    const graph = minimize(determinize(nfa, start, end));
    this.#active.delete(name);
    this.#graphs.set(name, graph);
    return graph;
  }
}

interface Dfa {
  readonly arcs: Map<string, number>[];
  readonly accepting: boolean[];
}

function determinize(nfa: Nfa, start: number, end: number): Dfa {
  const closure = (seeds: Iterable<number>): number[] => {
    const seen = new Set<number>();
    const stack = [...seeds];
    while (stack.length) {
      const s = stack.pop()!;
      if (seen.has(s)) continue;
      seen.add(s);
      for (const t of nfa.nulls[s]) stack.push(t);
    }
    return [...seen].sort((a, b) => a - b);
  };
  const arcs: Map<string, number>[] = [];
  const accepting: boolean[] = [];
  const ids = new Map<string, number>();
  const sets: number[][] = [];
  const intern = (set: number[]): number => {
    const key = set.join(',');
    let id = ids.get(key);
    if (id === undefined) {
      id = sets.length;
      if (id >= nfa.maxStates) throw new Unsupported('too many states');
      ids.set(key, id);
      sets.push(set);
      arcs.push(new Map());
      accepting.push(set.includes(end));
    }
    return id;
  };
  intern(closure([start]));
  for (let id = 0; id < sets.length; id++) {
    const byWord = new Map<string, number[]>();
    for (const s of sets[id]) {
      for (const [to, word] of nfa.words[s]) {
        let targets = byWord.get(word);
        if (!targets) byWord.set(word, (targets = []));
        targets.push(to);
      }
    }
    for (const [word, targets] of byWord) arcs[id].set(word, intern(closure(targets)));
  }
  return { arcs, accepting };
}

/** Merges states with the same future (the language is finite: the graph has no cycles). */
function minimize(dfa: Dfa): WordGraph {
  const n = dfa.arcs.length;
  const classOf = new Int32Array(n).fill(-1);
  const signatures = new Map<string, number>();
  const classArcs: [string, number][][] = [];
  const classAccepting: boolean[] = [];
  // Post-order: every target gets its class before its sources.
  const visit = (root: number): void => {
    const stack: [number, boolean][] = [[root, false]];
    while (stack.length) {
      const [s, expanded] = stack.pop()!;
      if (classOf[s] >= 0) continue;
      if (!expanded) {
        stack.push([s, true]);
        for (const t of dfa.arcs[s].values()) if (classOf[t] < 0) stack.push([t, false]);
        continue;
      }
      const out = [...dfa.arcs[s]].map(([w, t]) => [w, classOf[t]] as [string, number]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      const key = `${dfa.accepting[s] ? 1 : 0}|${out.map(([w, c]) => `${w}>${c}`).join(' ')}`;
      let c = signatures.get(key);
      if (c === undefined) {
        c = classArcs.length;
        signatures.set(key, c);
        classArcs.push(out);
        classAccepting.push(dfa.accepting[s]);
      }
      classOf[s] = c;
    }
  };
  visit(0);
  // The accepting state with no way on is the natural final state; accepting states that go on
  // reach it by a null transition.
  let states = classArcs.length;
  let final = classArcs.findIndex((out, c) => classAccepting[c] && out.length === 0);
  if (final < 0) final = states++;
  const words: string[] = [];
  const wordIndex = new Map<string, number>();
  const arcs: number[] = [];
  const nulls: number[] = [];
  classArcs.forEach((out, c) => {
    for (const [w, t] of out) {
      let index = wordIndex.get(w);
      if (index === undefined) {
        index = words.length;
        wordIndex.set(w, index);
        words.push(w);
      }
      arcs.push(c, t, index);
    }
    if (classAccepting[c] && c !== final) nulls.push(c, final);
  });
  return { states, start: classOf[0], final, words, arcs: Uint32Array.from(arcs), nulls: Uint32Array.from(nulls) };
}
