/**
 * JSGF rewrites applied before a grammar is compiled into the decoder's search graph:
 *  - a garbage alternative (a loop of single phones and noise units) beside the commands, so
 *    speech or noise that is not a command has somewhere better to go than the nearest command;
 *  - spelled-out number ranges (one alternative per value, e.g. 1 … 100 000 for prices) become a
 *    compositional number grammar accepting the same words, so the graph stays small.
 */

/** The 39 CMU phones plus the models' noise units. */
const GARBAGE_PHONES = [
  'AA', 'AE', 'AH', 'AO', 'AW', 'AY', 'B', 'CH', 'D', 'DH', 'EH', 'ER', 'EY', 'F', 'G', 'HH', 'IH', 'IY', 'JH', 'K',
  'L', 'M', 'N', 'NG', 'OW', 'OY', 'P', 'R', 'S', 'SH', 'T', 'TH', 'UH', 'UW', 'V', 'W', 'Y', 'Z', 'ZH', '+NSN+', '+SPN+',
] as const;

/** Word prefix of garbage units: no real word starts like this. */
export const GARBAGE_PREFIX = 'hmgarbage';

export interface GarbageOptions {
  /** Weight of each garbage unit (a per-phone penalty): lower = garbage wins less often. */
  readonly phoneWeight: number;
  /** Weight of entering the garbage loop at all, against 1 for the commands. */
  readonly entryWeight: number;
}

/** Dictionary entries for the garbage units: `[word, phones]`. */
export function garbageWords(): [string, string][] {
  return GARBAGE_PHONES.map((p) => [garbageWord(p), p]);
}

function garbageWord(phone: string): string {
  return `${GARBAGE_PREFIX}${phone.replace(/\+/g, '').toLowerCase()}`;
}

/** True for a word of the garbage loop (a result containing one is not a command). */
export function isGarbageWord(word: string): boolean {
  return word.startsWith(GARBAGE_PREFIX);
}

const fmt = (w: number): string => (w >= 0.001 ? String(Number(w.toPrecision(4))) : w.toExponential(3));

/**
 * Wraps a grammar: its public rules become private alternatives of one new public rule, beside
 * a garbage loop of single phones.
 */
export function withGarbageLoop(jsgf: string, options: GarbageOptions): string {
  const publics: string[] = [];
  const body = jsgf.replace(/^(\s*)public\s+<([^>]+)>/gm, (_m, indent: string, name: string) => {
    publics.push(name);
    return `${indent}<${name}>`;
  });
  if (publics.length === 0) return jsgf;
  const commands = publics.map((n) => `<${n}>`).join(' | ');
  const units = GARBAGE_PHONES.map((p) => `/${fmt(options.phoneWeight)}/ ${garbageWord(p)}`).join(' | ');
  return (
    `${body.trimEnd()}\n` +
    `public <hm_utterance> = /1/ ( ${commands} ) | /${fmt(options.entryWeight)}/ <hm_garbage>;\n` +
    `<hm_garbage> = <hm_garbage_unit>+;\n` +
    `<hm_garbage_unit> = ( ${units} );\n`
  );
}

const ONES = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const TEENS = ['ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const TENS = ['twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];

/** Spoken-number words → value (the forms `src/nlu` writes: "one hundred twenty three thousand …"). */
function numberValue(words: readonly string[]): number | null {
  let total = 0;
  let current = 0;
  for (const w of words) {
    const one = ONES.indexOf(w);
    const teen = TEENS.indexOf(w);
    const ten = TENS.indexOf(w);
    if (one >= 0) current += one + 1;
    else if (teen >= 0) current += teen + 10;
    else if (ten >= 0) current += 10 * (ten + 2);
    else if (w === 'hundred') current = (current || 1) * 100;
    else if (w === 'thousand') {
      total += (current || 1) * 1000;
      current = 0;
    } else if (w === 'and') continue;
    else return null;
  }
  return total + current;
}

const UNDER_100 = `( ${[...ONES, ...TEENS].join(' | ')} | ( ${TENS.join(' | ')} ) [ ${ONES.join(' | ')} ] )`;

/** Compact rules for 1 … 10^k (3 ≤ k ≤ 5): the same word sequences as spelling every value out. */
function compactRange(name: string, max: number): string[] {
  const r = (s: string): string => `<${name}_${s}>`;
  const lines = [`${r('u100')} = ${UNDER_100};`, `${r('u1000')} = ( ${r('u100')} | ( ${ONES.join(' | ')} ) hundred [ ${r('u100')} ] );`];
  const top: string[] = [];
  if (max <= 1000) top.push(r('u1000'), 'one thousand');
  else {
    // Thousands below max/1000 (e.g. 1 … 99 thousand for 100 000), then the round maximum.
    top.push(r('u1000'), `${max > 10_000 ? r('u100') : `( ${ONES.join(' | ')} )`} thousand [ ${r('u1000')} ]`);
    top.push(max === 10_000 ? 'ten thousand' : 'one hundred thousand');
  }
  lines.unshift(`<${name}> = ( ${top.join(' | ')} );`);
  return lines;
}

/**
 * Replaces every rule that spells out a whole number range 1 … 10^k (k ≥ 3) value by value with
 * an equivalent compact rule set. Other rules are left alone.
 */
export function compactNumberRanges(jsgf: string): string {
  const out: string[] = [];
  for (const line of jsgf.split('\n')) {
    const match = line.length > 4000 ? /^<([^>]+)>\s*=\s*\(\s*(.*?)\s*\)\s*;\s*$/.exec(line) : null;
    if (!match) {
      out.push(line);
      continue;
    }
    const options = match[2].split(' | ').map((o) => o.trim().split(/\s+/));
    const values = options.map(numberValue);
    const max = values.length;
    const isRange = values.every((v, i) => v === i + 1) && [1000, 10_000, 100_000].includes(max);
    if (!isRange) {
      out.push(line);
      continue;
    }
    out.push(...compactRange(match[1], max));
  }
  return out.join('\n');
}
