import type { LiveLists, Recognizer, Understanding } from '../contracts.js';

/**
 * Remembers the understanding of recently said texts, for one version of the live lists.
 * People repeat the same few commands, and recognising one costs more CPU than the rest of a
 * read-only command; the recogniser is a pure function of the text and the lists, so its answer
 * can be reused until the lists change.
 */
export function cachingRecognizer(recognizer: Recognizer, maxEntries = 2_000): { recognize(text: string, lists: LiveLists, version: string): Understanding } {
  let version: string | null = null;
  // A Map iterates in insertion order: re-inserting on a hit keeps the oldest entry first.
  const entries = new Map<string, Understanding>();
  return {
    recognize(text, lists, listsVersion) {
      if (listsVersion !== version) {
        entries.clear();
        version = listsVersion;
      }
      const known = entries.get(text);
      if (known) {
        entries.delete(text);
        entries.set(text, known);
        return known;
      }
      const understanding = recognizer.recognize(text, lists);
      entries.set(text, understanding);
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
      return understanding;
    },
  };
}
