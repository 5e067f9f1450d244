/**
 * The words of a free-text slot (a review, a post) as they were typed: the intent engine gives
 * them back without punctuation ("great work!" → "great work"); when they end the utterance, the
 * original text from their first word to the end is what the person wrote. Otherwise, or when
 * the words cannot be found as written, the slot value stays as it is.
 */
export function verbatimTail(text: string, value: string): string {
  const words = value.split(/\s+/).filter(Boolean);
  if (words.length === 0) return value;
  const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const tail = new RegExp(`${escaped.join("[^\\p{L}\\p{N}']+")}[^\\p{L}\\p{N}]*$`, 'u').exec(text.trimEnd());
  return tail ? tail[0].trim() : value;
}
