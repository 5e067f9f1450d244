import type { ListDefinition } from './types.js';

type RangeList = Extract<ListDefinition, { kind: 'range' }>;

/** Ranges with at most this many values are spelled out value by value (tighter for the decoder). */
const ENUMERATE_UP_TO = 20;

const DIGITS = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const TEENS = ['ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const TENS = ['twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];

/**
 * The shared JSGF rules that spell numbers compositionally (units, teens, tens, hundreds,
 * thousands), each defined by name once and referenced by the larger ones. Spoken forms follow
 * `parseNumberWords`: "one hundred twenty", "a hundred and five", "two thousand fifty".
 */
const NUMBER_RULES: readonly { readonly name: string; readonly body: string; readonly uses: readonly string[] }[] = [
  { name: 'number_digit', body: `( ${DIGITS.join(' | ')} )`, uses: [] },
  { name: 'number_teen', body: `( ${TEENS.join(' | ')} )`, uses: [] },
  { name: 'number_ten', body: `( ${TENS.join(' | ')} )`, uses: [] },
  { name: 'number_below_100', body: '( <number_digit> | <number_teen> | <number_ten> [ <number_digit> ] )', uses: ['number_digit', 'number_teen', 'number_ten'] },
  { name: 'number_below_1000', body: '( <number_below_100> | ( a | <number_digit> ) hundred [ [ and ] <number_below_100> ] )', uses: ['number_below_100', 'number_digit'] },
  { name: 'number_below_1000000', body: '( <number_below_1000> | ( a | <number_below_1000> ) thousand [ [ and ] <number_below_1000> ] )', uses: ['number_below_1000'] },
];

/**
 * How a range list is written in JSGF: a short range value by value (`spell` gives the words), a
 * long one as a reference to the smallest compositional rule covering it. The cover may accept
 * numbers past the range ("one hundred" covers up to 999); the matcher re-checks the range on the
 * recognised text, so over-generation only costs the decoder a little freedom. Numbers from a
 * million up cannot be spoken through the grammar (`numberToWords` stops there too).
 */
export function rangeExpansion(list: RangeList, spell: (value: number) => string): { body: string; rules: readonly string[] } {
  const count = Math.floor((list.to - list.from) / list.step) + 1;
  if (count <= ENUMERATE_UP_TO) {
    const values: string[] = [];
    for (let v = list.from; v <= list.to; v += list.step) values.push(spell(v));
    return { body: values.length === 0 ? '<VOID>' : `( ${values.join(' | ')} )`, rules: [] };
  }
  const cover = list.to < 100 ? 'number_below_100' : list.to < 1000 ? 'number_below_1000' : 'number_below_1000000';
  const reference = `<${cover}>`;
  return { body: list.from === 0 ? `( zero | ${reference} )` : reference, rules: [cover] };
}

/** The definitions of `names` and of every number rule they use, smallest first. */
export function numberRuleLines(names: Iterable<string>): string[] {
  const needed = new Set<string>();
  const add = (name: string): void => {
    if (needed.has(name)) return;
    needed.add(name);
    for (const used of NUMBER_RULES.find((r) => r.name === name)?.uses ?? []) add(used);
  };
  for (const name of names) add(name);
  return NUMBER_RULES.filter((r) => needed.has(r.name)).map((r) => `<${r.name}> = ${r.body};`);
}
