/**
 * Matching a bare answer ("Nova", "the neon dragon", "it's Kenji") against a live list, for when
 * the dialog asked for a missing slot.
 */

const LEADING_FILLERS = [
  'um', 'uh', 'er', 'erm', 'well', 'oh', 'okay', 'ok', 'so', 'i mean', 'it is', "it's", 'its', 'that is', "that's",
  'i said', 'i want', 'i would like', 'the one called', 'the one by', 'the designer', 'designer', 'the chip', 'chip',
  'the artist', 'artist', 'my favorite is', 'my favorite designer is', 'from', 'by', 'the', 'a', 'an', 'please',
];
const TRAILING_FILLERS = ['please', 'thanks', 'thank you', 'chip', 'one', 'designer'];

function words(text: string): string[] {
  return text.toLowerCase().replace(/[^\p{L}\p{N}' ]+/gu, ' ').split(/\s+/).filter(Boolean);
}

/** The answer without polite padding, in lower-case words. */
export function cleanAnswer(text: string): string[] {
  let w = words(text);
  for (let changed = true; changed && w.length > 0;) {
    changed = false;
    for (const filler of LEADING_FILLERS) {
      const f = filler.split(' ');
      if (w.length > f.length && f.every((x, i) => w[i] === x)) {
        w = w.slice(f.length);
        changed = true;
      }
    }
    for (const filler of TRAILING_FILLERS) {
      const f = filler.split(' ');
      if (w.length > f.length && f.every((x, i) => w[w.length - f.length + i] === x)) {
        w = w.slice(0, w.length - f.length);
        changed = true;
      }
    }
  }
  return w;
}

/**
 * The list value an answer names: an exact match, else the longest value all of whose words are
 * in the answer, else the only value starting with the answer's words ("Kenji" → "Kenji Sato").
 */
export function matchListValue(text: string, values: readonly string[]): string | null {
  const answer = cleanAnswer(text);
  if (answer.length === 0) return null;
  const joined = answer.join(' ');
  const candidates = values.map((value) => ({ value, words: words(value) }));
  const exact = candidates.find((c) => c.words.join(' ') === joined);
  if (exact) return exact.value;
  const contained = candidates
    .filter((c) => c.words.length > 0 && c.words.every((w) => answer.includes(w)))
    .sort((a, b) => b.words.length - a.words.length);
  if (contained.length > 0 && (contained.length === 1 || contained[0]!.words.length > contained[1]!.words.length)) return contained[0]!.value;
  const prefixed = candidates.filter((c) => answer.every((w, i) => c.words[i] === w));
  return prefixed.length === 1 ? prefixed[0]!.value : null;
}

/** A short answer that could be a name (used to say "I don't know a designer called X"). */
export function asName(text: string, maxWords = 3): string | null {
  const answer = cleanAnswer(text);
  if (answer.length === 0 || answer.length > maxWords) return null;
  return answer.map((w) => w[0]!.toUpperCase() + w.slice(1)).join(' ');
}

/** A rating answer: "4", "four", "four stars". */
export function matchRating(text: string): number | null {
  const names = ['one', 'two', 'three', 'four', 'five'];
  for (const w of cleanAnswer(text)) {
    const n = /^[1-5]$/.test(w) ? Number(w) : names.indexOf(w) + 1;
    if (n >= 1 && n <= 5) return n;
  }
  return null;
}

const ORDINALS: Readonly<Record<string, number>> = {
  first: 1, '1st': 1, second: 2, '2nd': 2, third: 3, '3rd': 3, fourth: 4, '4th': 4, fifth: 5, '5th': 5,
};
const CARDINALS: Readonly<Record<string, number>> = { one: 1, two: 2, three: 3, four: 4, five: 5 };

/**
 * A position said on its own ("the first one", "second", "number 2", "the last one"): 0-based,
 * -1 for the last, null when the answer is not just a position.
 */
export function matchPosition(text: string): number | null {
  const w = words(text).filter((x) => !['the', 'one', 'please', 'chip', 'option', 'choice', 'ones'].includes(x));
  if (w.length === 1) {
    if (w[0] === 'last') return -1;
    const n = ORDINALS[w[0]!];
    return n === undefined ? null : n - 1;
  }
  if (w.length === 2 && w[0] === 'number') {
    const n = /^[1-9]$/.test(w[1]!) ? Number(w[1]) : CARDINALS[w[1]!];
    return n === undefined ? null : n - 1;
  }
  return null;
}

const singular = (w: string): string => (w.length > 3 && w.endsWith('s') ? w.slice(0, -1) : w);

/**
 * The values a partial answer could mean: every word of the answer is a word of the value ("the
 * koi" → Quantum Koi and Starlight Koi; "kenji" → Kenji Sato), in the list's order.
 */
export function candidatesFor(text: string, values: readonly string[]): string[] {
  const answer = cleanAnswer(text).map(singular);
  if (answer.length === 0) return [];
  return values.filter((value) => {
    const own = words(value).map(singular);
    return answer.every((w) => own.includes(w));
  });
}
