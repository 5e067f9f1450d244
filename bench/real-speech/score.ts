import type { Slots } from '../../src/contracts.js';

/** What a speaker was asked to say: the benchmark's label of one recording. */
export interface Label {
  readonly intent: string;
  readonly slots: Readonly<Record<string, string>>;
}

/** right: intent and every slot match; wrong: another command accepted; rejected: no intent. */
export type Verdict = 'right' | 'wrong' | 'rejected';

/** `labels.json`: file name → label. @throws Error when the file is not such a map. */
export function parseLabels(text: string): Map<string, Label> {
  const raw = JSON.parse(text) as Record<string, { intent?: unknown; slots?: unknown }>;
  const labels = new Map<string, Label>();
  for (const [file, label] of Object.entries(raw)) {
    if (typeof label?.intent !== 'string' || typeof label.slots !== 'object' || label.slots === null) {
      throw new Error(`labels.json: ${file} has no intent and slots`);
    }
    labels.set(file, { intent: label.intent, slots: label.slots as Record<string, string> });
  }
  return labels;
}

/** The benchmark's comparison: case- and space-insensitive. */
const same = (a: unknown, b: unknown): boolean => String(a).toLowerCase().replace(/\s+/g, '') === String(b).toLowerCase().replace(/\s+/g, '');

/** A command is right when its intent and every slot (name and value) match the label; a missing or extra slot is wrong. */
export function judge(label: Label, intent: string | null, slots: Slots): Verdict {
  if (!intent) return 'rejected';
  if (intent !== label.intent) return 'wrong';
  const heard = Object.entries(slots).filter(([, v]) => v !== undefined && v !== null);
  const wanted = Object.entries(label.slots);
  if (heard.length !== wanted.length) return 'wrong';
  return wanted.every(([name, value]) => heard.some(([n, v]) => n === name && same(v, value))) ? 'right' : 'wrong';
}

/**
 * About `count` recordings picked evenly over the names sorted. The labels do not name speakers;
 * the benchmark's names are random UUIDs and each speaker made about ten recordings, so an even
 * stride over the sorted names spreads the pick over the speakers the way a random sample would,
 * and stays the same from run to run.
 */
export function evenSubset(names: readonly string[], count: number, offset = 0): string[] {
  const sorted = [...names].sort();
  if (count >= sorted.length) return sorted;
  // `offset` shifts every pick: another subset of the same spread, to check a finding on.
  return Array.from({ length: count }, (_, i) => sorted[(Math.floor((i * sorted.length) / count) + offset) % sorted.length]);
}

/** Counts of each verdict, and their shares. */
export interface Tally {
  readonly n: number;
  readonly right: number;
  readonly wrong: number;
  readonly rejected: number;
}

export function tally(verdicts: readonly Verdict[]): Tally {
  const count = (v: Verdict): number => verdicts.filter((x) => x === v).length;
  return { n: verdicts.length, right: count('right'), wrong: count('wrong'), rejected: count('rejected') };
}
