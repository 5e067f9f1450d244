/** Levenshtein distance, giving up (returning max + 1) once it exceeds `max`. */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let previous = new Array<number>(b.length + 1);
  let current = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j += 1) previous[j] = j;
  for (let i = 1; i <= a.length; i += 1) {
    current[0] = i;
    let rowMin = current[0];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = previous[j - 1] + (a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1);
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
      if (current[j] < rowMin) rowMin = current[j];
    }
    if (rowMin > max) return max + 1;
    [previous, current] = [current, previous];
  }
  return previous[b.length];
}

/**
 * True when `spoken` is probably a typo or mishearing of the template word `word`: same first
 * letter, one edit for words of 4+ letters, two for 8+ (so "subscribe" never becomes "unsubscribe").
 */
export function isTypoOf(spoken: string, word: string): boolean {
  if (spoken.length < 4 || word.length < 4 || spoken[0] !== word[0]) return false;
  if (/\d/.test(spoken) || /\d/.test(word)) return false;
  const allowed = Math.min(spoken.length, word.length) >= 8 ? 2 : 1;
  return editDistance(spoken, word, allowed) <= allowed;
}
