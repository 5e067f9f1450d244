const UNITS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve',
  'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'] as const;
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'] as const;

const UNIT_VALUE = new Map<string, number>(UNITS.map((word, i) => [word, i]));
const TENS_VALUE = new Map<string, number>(TENS.map((word, i) => [word, i * 10] as const).filter(([word]) => word !== ''));
// Common spellings and recogniser outputs that are not the canonical words.
TENS_VALUE.set('fourty', 40);

/** Spell a non-negative integer the way a speech recogniser writes it ("forty two"). */
export function numberToWords(n: number): string {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`cannot spell ${n}`);
  if (n < 20) return UNITS[n];
  if (n < 100) return n % 10 === 0 ? TENS[n / 10] : `${TENS[Math.floor(n / 10)]} ${UNITS[n % 10]}`;
  if (n < 1000) {
    const rest = n % 100;
    return `${UNITS[Math.floor(n / 100)]} hundred${rest === 0 ? '' : ` ${numberToWords(rest)}`}`;
  }
  if (n < 1_000_000) {
    const rest = n % 1000;
    return `${numberToWords(Math.floor(n / 1000))} thousand${rest === 0 ? '' : ` ${numberToWords(rest)}`}`;
  }
  throw new RangeError(`cannot spell ${n}`);
}

/** True for a word that can be part of a spoken number. */
export function isNumberWord(word: string): boolean {
  return UNIT_VALUE.has(word) || TENS_VALUE.has(word) || word === 'hundred' || word === 'thousand';
}

/**
 * Read a spoken number starting at `start` ("forty two", "a hundred and twenty", "five").
 * Returns the value and how many words it used, or null when no number starts there.
 */
export function parseNumberWords(words: readonly string[], start: number): { value: number; length: number } | null {
  let total = 0;
  let current = 0;
  let i = start;
  let used = 0;
  // What may come next: after "forty" only a unit; after "five" only hundred/thousand.
  let last: 'none' | 'unit' | 'teen' | 'tens' | 'hundred' | 'thousand' = 'none';
  if (words[i] === 'a' && (words[i + 1] === 'hundred' || words[i + 1] === 'thousand')) {
    current = 1;
    last = 'unit';
    i += 1;
  }
  for (; i < words.length; i += 1) {
    const word = words[i];
    if (word === 'and' && (last === 'hundred' || last === 'thousand') && (UNIT_VALUE.has(words[i + 1] ?? '') || TENS_VALUE.has(words[i + 1] ?? ''))) continue;
    const unit = UNIT_VALUE.get(word);
    const tens = TENS_VALUE.get(word);
    if (unit !== undefined && unit < 10 && (last === 'none' || last === 'tens' || last === 'hundred' || last === 'thousand')) {
      current += unit;
      last = 'unit';
    } else if (unit !== undefined && unit >= 10 && (last === 'none' || last === 'hundred' || last === 'thousand')) {
      current += unit;
      last = 'teen';
    } else if (tens !== undefined && (last === 'none' || last === 'hundred' || last === 'thousand')) {
      current += tens;
      last = 'tens';
    } else if (word === 'hundred' && (last === 'unit' || last === 'teen') && current % 100 < 20 && current < 100) {
      current *= 100;
      last = 'hundred';
    } else if (word === 'thousand' && last !== 'none' && last !== 'thousand') {
      total += current * 1000;
      current = 0;
      last = 'thousand';
    } else {
      break;
    }
    used = i + 1 - start;
  }
  if (used === 0 || last === 'none') return null;
  return { value: total + current, length: used };
}
