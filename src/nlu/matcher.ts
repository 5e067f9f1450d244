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
  /** True when `slots` has any entry. */
  readonly hasSlots: boolean;
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

// Reusable buffers, one set per nesting depth (a rule is aligned while its caller is), so the hot
// loop allocates nothing but the captures it keeps.
interface Buffers {
  cost: Float64Array;
  back: Int32Array;
  capture: Int32Array;
  evidence: Uint8Array;
  lo: Int32Array;
  hi: Int32Array;
}
const pool: Buffers[] = [];
let depth = 0;

function buffers(cells: number, rows: number): Buffers {
  let b = pool[depth];
  if (b === undefined || b.cost.length < cells || b.lo.length < rows) {
    const size = Math.max(cells, 1024);
    const rowSize = Math.max(rows, 64);
    b = { cost: new Float64Array(size), back: new Int32Array(size), capture: new Int32Array(size), evidence: new Uint8Array(size), lo: new Int32Array(rowSize), hi: new Int32Array(rowSize) };
    pool[depth] = b;
  }
  return b;
}

/**
 * Cheapest alignment of the tokens from `start` with the automaton: a weighted edit distance in
 * which tokens may be skipped, template words may be missing or misheard, and slots and rules
 * consume spans. Cells above `maxCost` are pruned.
 */
function align(nfa: Nfa, ctx: MatchContext, maxCost: number, start: number): Table {
  const n = ctx.tokens.length;
  const b = buffers((n + 1) * nfa.size, n + 1);
  depth += 1;
  try {
    return fillTable(nfa, ctx, maxCost, start, b);
  } finally {
    depth -= 1;
  }
}

/** Lower the cost of cell `to` when `value` is cheaper and within `maxCost`; keeps the row's live span. */
function relax(b: Buffers, size: number, maxCost: number, to: number, value: number, from: number, cap: number, isEvidence: number): void {
  if (value < b.cost[to] - 1e-9 && value <= maxCost) {
    b.cost[to] = value;
    b.back[to] = from;
    b.capture[to] = cap;
    b.evidence[to] = isEvidence;
    const r = (to / size) | 0;
    const st = to - r * size;
    if (st < b.lo[r]) b.lo[r] = st;
    if (st > b.hi[r]) b.hi[r] = st;
  }
}

function fillTable(nfa: Nfa, ctx: MatchContext, maxCost: number, start: number, b: Buffers): Table {
  const n = ctx.tokens.length;
  const size = nfa.size;
  const { cost, lo, hi } = b;
  cost.fill(Infinity, start * size, (n + 1) * size);
  // The span of states reached in each row, so a row only scans where something is alive.
  lo.fill(size, 0, n + 1);
  hi.fill(-1, 0, n + 1);
  const captures: Readonly<Record<string, SlotValue>>[] = [];
  // evidence: 1 when the step consumed a spoken content word, a slot value or a rule with one.
  const first = start * size;
  cost[first] = 0;
  b.back[first] = -1;
  b.capture[first] = -1;
  b.evidence[first] = 0;
  lo[start] = 0;
  hi[start] = 0;
  for (let i = start; i <= n; i += 1) {
    const row = i * size;
    const token = i < n ? ctx.tokens[i] : null;
    const subs = i < n ? ctx.substitutes[i] : null;
    // hi grows while the row is scanned (edges within a row go to higher states).
    for (let s = lo[i]; s <= hi[i]; s += 1) {
      const here = row + s;
      const c = cost[here];
      if (c === Infinity) continue;
      if (i < n) relax(b, size, maxCost, here + size, c + ctx.skipCost[i], here, -1, 0);
      const eps = nfa.eps[s];
      for (let k = 0; k < eps.length; k += 1) relax(b, size, maxCost, row + eps[k], c, here, -1, 0);
      const words = nfa.words[s];
      for (let k = 0; k < words.length; k += 1) {
        const edge = words[k];
        if (token === edge.word) relax(b, size, maxCost, row + size + edge.to, c, here, -1, edge.content);
        else if (subs !== null) {
          const sub = subs.get(edge.word);
          if (sub !== undefined) relax(b, size, maxCost, row + size + edge.to, c + sub, here, -1, edge.content);
        }
        relax(b, size, maxCost, row + edge.to, c + edge.deleteCost, here, -1, 0);
      }
      const slotEdges = nfa.slots[s];
      for (let k = 0; k < slotEdges.length; k += 1) {
        const edge = slotEdges[k];
        if (i < n) {
          for (const m of ctx.slotMatches(edge.list, i)) {
            const target = m.end * size + edge.to;
            const value = c + m.cost;
            if (value < cost[target] - 1e-9 && value <= maxCost) {
              captures.push({ [edge.slot]: m.value });
              relax(b, size, maxCost, target, value, here, captures.length - 1, 1);
            }
          }
        }
        relax(b, size, maxCost, row + edge.to, c + ctx.slotDeleteCost, here, -1, 0);
      }
      const ruleEdges = nfa.rules[s];
      for (let k = 0; k < ruleEdges.length; k += 1) {
        const edge = ruleEdges[k];
        for (const m of ctx.ruleMatches(edge.rule, i)) {
          const target = m.end * size + edge.to;
          const value = c + m.cost;
          if (value < cost[target] - 1e-9 && value <= maxCost) {
            let cap = -1;
            if (m.hasSlots) {
              captures.push(m.slots);
              cap = captures.length - 1;
            }
            relax(b, size, maxCost, target, value, here, cap, m.evidence ? 1 : 0);
          }
        }
      }
    }
  }
  return { size, cost, back: b.back, capture: b.capture, evidence: b.evidence, captures };
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
    const { slots, evidence } = trace(table, cell);
    out.push({ end, cost, slots, evidence, hasSlots: Object.keys(slots).length > 0 });
  }
  return out;
}
