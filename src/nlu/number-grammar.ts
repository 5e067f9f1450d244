import { numberToWords } from './numbers.js';
import type { Expression, ListDefinition } from './types.js';

type RangeList = Extract<ListDefinition, { kind: 'range' }>;

const MAX_SPOKEN = 999_999;

const word = (text: string): Expression => ({ kind: 'word', text });
const seq = (...items: Expression[]): Expression => ({ kind: 'seq', items });
const alt = (options: Expression[]): Expression => (options.length === 1 ? options[0] : { kind: 'alt', options });
const optional = (item: Expression): Expression => alt([item, seq()]);
const spelled = (value: number): Expression => seq(...numberToWords(value).split(' ').map(word));

/**
 * Exactly the spoken forms of a range list's values, as an expression (the grammar export and the
 * decoder's word graph both take it): `numberToWords`' spelling, plus what `parseNumberWords` also
 * reads, "a hundred", "a thousand" and "and" after hundred or thousand ("a hundred and five").
 * A long range stays small because whole hundreds and thousands share one tail.
 */
export function rangeExpression(list: RangeList): Expression {
  // Numbers from a million up cannot be spoken (numberToWords stops there, and so does the parser).
  const to = Math.min(list.to, MAX_SPOKEN);
  if (list.step === 1) return spokenRange(list.from, to);
  const values: Expression[] = [];
  for (let v = list.from; v <= to; v += list.step) values.push(spokenRange(v, v));
  return alt(values);
}

/**
 * Every integer in [lo, hi] (0 ≤ lo, hi < 1 000 000; numberToWords stops there); `leading`: at the
 * start of the number, where "a hundred" and "a thousand" may be said.
 */
function spokenRange(lo: number, hi: number, leading = true): Expression {
  if (lo > hi) return alt([]);
  const scale = hi >= 1000 ? 1000 : hi >= 100 ? 100 : 1;
  const options: Expression[] = [];
  if (scale === 1) {
    for (let v = lo; v <= hi; v++) options.push(spelled(v));
    return alt(options);
  }
  if (lo < scale) options.push(spokenRange(lo, Math.min(hi, scale - 1), leading));
  // "h hundred|thousand [rest]": runs of heads whose rest is the whole 0 … scale-1 share it.
  let head = Math.max(1, Math.floor(lo / scale));
  const last = Math.floor(hi / scale);
  while (head <= last) {
    const restLo = Math.max(0, lo - head * scale);
    const restHi = Math.min(scale - 1, hi - head * scale);
    let end = head;
    if (restLo === 0 && restHi === scale - 1) while (end < last && hi - (end + 1) * scale >= scale - 1) end++;
    options.push(scaled(head, end, scale, restLo, restHi, leading));
    head = end + 1;
  }
  return alt(options);
}

function scaled(headLo: number, headHi: number, scale: number, restLo: number, restHi: number, leading: boolean): Expression {
  const heads = spokenRange(headLo, headHi, leading);
  const head = headLo === 1 && leading ? alt([word('a'), heads]) : heads;
  const scaleWord = word(scale === 100 ? 'hundred' : 'thousand');
  if (restHi === 0) return seq(head, scaleWord);
  const rest = seq(optional(word('and')), spokenRange(Math.max(1, restLo), restHi, false));
  return seq(head, scaleWord, restLo === 0 ? optional(rest) : rest);
}
