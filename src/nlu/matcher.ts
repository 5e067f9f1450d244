import type { SlotValue } from '../contracts.js';
import type { Nfa } from './nfa.js';

/** A way a slot list can match the utterance from one position. */
export interface SlotMatch {
  /** Position after the last token used. */
  readonly end: number;
  readonly value: SlotValue;
  /** 0 for an exact value; more for fuzzy, partial or unknown values. */
  readonly cost: number;
}

/** A way an expansion rule can match a span of the utterance. */
export interface SpanMatch {
  readonly end: number;
  readonly cost: number;
  readonly slots: Readonly<Record<string, SlotValue>>;
  /** True when the span used a spoken content word or a slot value. */
  readonly evidence: boolean;
}

/** Everything the matcher needs to know about one utterance. */
export interface MatchContext {
  readonly tokens: readonly string[];
  /** Cost of ignoring each token (fillers ~0, unknown words ~1). */
  readonly skipCost: Float64Array;
  /** Per token: template words it may be a typo or homophone of, with the cost. */
  readonly substitutes: readonly (ReadonlyMap<string, number> | null)[];
  slotMatches(list: string, start: number): readonly SlotMatch[];
  /** Matches of an expansion rule from `start` (memoised by the caller). */
  ruleMatches(rule: string, start: number): readonly SpanMatch[];
  /** Cost of a slot nobody said. */
  readonly slotDeleteCost: number;
  /** Added when a whole-utterance match is not exact and used no content word and no slot. */
  readonly noEvidenceCost: number;
}

export interface NfaMatch {
  readonly cost: number;
  readonly slots: Record<string, SlotValue>;
}

interface Table {
  readonly size: number;
  readonly cost: Float64Array;
  readonly back: Int32Array;
  readonly capture: Int32Array;
  readonly evidence: Uint8Array;
  readonly captures: readonly Readonly<Record<string, SlotValue>>[];
}

/**
 * Cheapest alignment of the tokens from `start` with the automaton: a weighted edit distance in
 * which tokens may be skipped, template words may be missing or misheard, and slots and rules
 * consume spans. Cells above `maxCost` are pruned.
 */
// Reusable buffers, one set per nesting depth (a rule is aligned while its caller is).
const pool: { cost: Float64Array; back: Int32Array; capture: Int32Array; evidence: Uint8Array }[] = [];
let depth = 0;

function buffers(cells: number): { cost: Float64Array; back: Int32Array; capture: Int32Array; evidence: Uint8Array } {
  let b = pool[depth];
  if (b === undefined || b.cost.length < cells) {
    const size = Math.max(cells, 1024);
    b = { cost: new Float64Array(size), back: new Int32Array(size), capture: new Int32Array(size), evidence: new Uint8Array(size) };
    pool[depth] = b;
  }
  return b;
}

function align(nfa: Nfa, ctx: MatchContext, maxCost: number, start: number): Table {
  const n = ctx.tokens.length;
  const size = nfa.size;
  const cells = (n + 1) * size;
  const { cost, back, capture, evidence } = buffers(cells);
  depth += 1;
  try {
    return fillTable(nfa, ctx, maxCost, start, n, size, cells, cost, back, capture, evidence);
  } finally {
    depth -= 1;
  }
}

function fillTable(nfa: Nfa, ctx: MatchContext, maxCost: number, start: number, n: number, size: number, cells: number,
  cost: Float64Array, back: Int32Array, capture: Int32Array, evidence: Uint8Array): Table {
  cost.fill(Infinity, start * size, cells);
  const captures: Readonly<Record<string, SlotValue>>[] = [];
  // evidence: 1 when the step consumed a spoken content word, a slot value or a rule with one.
  // The span of states reached in each row, so a row only scans where something is alive.
  const lo = new Int32Array(n + 1).fill(size);
  const hi = new Int32Array(n + 1).fill(-1);
  const relax = (to: number, value: number, from: number, cap: number, isEvidence: number): void => {
    if (value < cost[to] - 1e-9 && value <= maxCost) {
      cost[to] = value;
      back[to] = from;
      capture[to] = cap;
      evidence[to] = isEvidence;
      const r = (to / size) | 0;
      const st = to - r * size;
      if (st < lo[r]) lo[r] = st;
      if (st > hi[r]) hi[r] = st;
    }
  };
  const first = start * size;
  cost[first] = 0;
  back[first] = -1;
  capture[first] = -1;
  evidence[first] = 0;
  lo[start] = 0;
  hi[start] = 0;
  for (let i = start; i <= n; i += 1) {
    const row = i * size;
    // hi grows while the row is scanned (edges within a row go to higher states).
    for (let s = lo[i]; s <= hi[i]; s += 1) {
      const here = row + s;
      const c = cost[here];
      if (c === Infinity) continue;
      if (i < n) relax(here + size, c + ctx.skipCost[i], here, -1, 0);
      for (const to of nfa.eps[s]) relax(row + to, c, here, -1, 0);
      const words = nfa.words[s];
      if (words.length > 0) {
        const token = i < n ? ctx.tokens[i] : null;
        const subs = i < n ? ctx.substitutes[i] : null;
        for (const edge of words) {
          if (token === edge.word) relax(row + size + edge.to, c, here, -1, edge.content);
          else if (subs !== null) {
            const sub = subs.get(edge.word);
            if (sub !== undefined) relax(row + size + edge.to, c + sub, here, -1, edge.content);
          }
          relax(row + edge.to, c + edge.deleteCost, here, -1, 0);
        }
      }
      for (const edge of nfa.slots[s]) {
        if (i < n) {
          for (const m of ctx.slotMatches(edge.list, i)) {
            const target = m.end * size + edge.to;
            const value = c + m.cost;
            if (value < cost[target] - 1e-9 && value <= maxCost) {
              captures.push({ [edge.slot]: m.value });
              relax(target, value, here, captures.length - 1, 1);
            }
          }
        }
        relax(row + edge.to, c + ctx.slotDeleteCost, here, -1, 0);
      }
      for (const edge of nfa.rules[s]) {
        for (const m of ctx.ruleMatches(edge.rule, i)) {
          const target = m.end * size + edge.to;
          const value = c + m.cost;
          if (value < cost[target] - 1e-9 && value <= maxCost) {
            let cap = -1;
            if (Object.keys(m.slots).length > 0) {
              captures.push(m.slots);
              cap = captures.length - 1;
            }
            relax(target, value, here, cap, m.evidence ? 1 : 0);
          }
        }
      }
    }
  }
  return { size, cost, back, capture, evidence, captures };
}

function trace(table: Table, cell: number): { slots: Record<string, SlotValue>; evidence: boolean } {
  const slots: Record<string, SlotValue> = {};
  let evidence = false;
  for (let at = cell; at >= 0; at = table.back[at]) {
    if (table.evidence[at] === 1) evidence = true;
    const cap = table.capture[at];
    if (cap >= 0) {
      // Walking backwards: the last capture of a slot in the sentence wins.
      for (const [slot, value] of Object.entries(table.captures[cap])) if (!(slot in slots)) slots[slot] = value;
    }
  }
  return { slots, evidence };
}

/** Best match of the whole utterance, or null when nothing is cheaper than `maxCost`. */
export function matchNfa(nfa: Nfa, ctx: MatchContext, maxCost: number): NfaMatch | null {
  const table = align(nfa, ctx, maxCost, 0);
  const end = ctx.tokens.length * table.size + nfa.accept;
  const cost = table.cost[end];
  if (cost === Infinity) return null;
  const { slots, evidence } = trace(table, end);
  // Sharing only function words with a template ("buy it" vs "do it") is no evidence, unless exact.
  return { cost: cost + (evidence || cost === 0 ? 0 : ctx.noEvidenceCost), slots };
}

/** Every way the automaton can match a span starting at `start` (one per end position). */
export function matchSpans(nfa: Nfa, ctx: MatchContext, maxCost: number, start: number): SpanMatch[] {
  const table = align(nfa, ctx, maxCost, start);
  const out: SpanMatch[] = [];
  for (let end = start; end <= ctx.tokens.length; end += 1) {
    const cell = end * table.size + nfa.accept;
    const cost = table.cost[cell];
    if (cost === Infinity) continue;
    out.push({ end, cost, ...trace(table, cell) });
  }
  return out;
}
