import nlp from 'compromise';
import { NO_INFLECTION, STOPWORDS } from './lexicon.js';

// compromise is slow per call (~1 ms); the forms of a word never change, so remember them.
const formsCache = new Map<string, readonly string[]>();

/** Inflected forms of an English word (verb conjugations and the noun plural), via compromise. */
export function inflectedForms(word: string): readonly string[] {
  const cached = formsCache.get(word);
  if (cached !== undefined) return cached;
  const forms = new Set<string>();
  const doc = nlp(word);
  for (const conjugation of doc.verbs().conjugate() as Record<string, string>[]) {
    for (const [tense, form] of Object.entries(conjugation)) {
      if (tense !== 'FutureTense' && /^[a-z]+$/.test(form)) forms.add(form);
    }
  }
  const plural = nlp(word).nouns().toPlural().text().toLowerCase();
  if (/^[a-z]+$/.test(plural)) forms.add(plural);
  forms.delete(word);
  const result = [...forms];
  formsCache.set(word, result);
  return result;
}

/**
 * Map each inflected form of the template vocabulary to one canonical word ("chips" → "chip",
 * "following" → "follow"), so an utterance and a template agree on word forms. Built once per
 * intent set; shorter words are canonical first.
 */
export function buildInflectionMap(vocabulary: Iterable<string>): Map<string, string> {
  const map = new Map<string, string>();
  const words = [...new Set(vocabulary)].filter((w) => /^[a-z]{3,}$/.test(w) && !STOPWORDS.has(w) && !NO_INFLECTION.has(w));
  words.sort((a, b) => a.length - b.length || a.localeCompare(b));
  for (const word of words) {
    if (map.has(word)) continue;
    for (const form of inflectedForms(word)) {
      if (!map.has(form) && !NO_INFLECTION.has(form) && !STOPWORDS.has(form)) map.set(form, word);
    }
  }
  return map;
}
