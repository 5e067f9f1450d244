import { grammarFromJsgf } from '../speech/index.js';
import type { RecognitionGrammar } from '../speech/engine.js';
import { Errors } from '../errors.js';

/** Lower-case words only: what a recogniser can say. */
function toWords(phrase: string): string {
  // An apostrophe only inside a word ("what's"): a stray one is not speakable and breaks the JSGF.
  return phrase.toLowerCase().replace(/[^a-z' ]+/g, ' ').split(' ').map((w) => w.replace(/^'+|'+$/g, '')).filter(Boolean).join(' ');
}

/**
 * Weight of a single word against 1 for a whole phrase: in effect a word insertion penalty.
 * Spoken digit strings (espeak-ng, 16 kHz model) against vosk's digits list came out right 3 of 6
 * times at 0.001 and 0.0001 ("one eight two three", "one zero oh zero oh zero one"), 4 of 6 at
 * 0.00001; command phrases were unaffected.
 */
const WORD_WEIGHT = 0.00001;

/**
 * A per-connection grammar from a vosk-style `phrase_list`. Vosk treats the list as a small
 * language model, not as a closed set of sentences: "the order doesn't have to be strict", so
 * `["zero one two … nine oh"]` recognises any string of digits. Here: any sequence of the
 * phrases and of their single words, whole phrases strongly preferred, or nothing at all (so
 * that silence need not be forced into a word).
 */
export function grammarFromPhrases(phrases: readonly string[]): RecognitionGrammar {
  const cleaned = [...new Set(phrases.map(toWords).filter(Boolean))];
  if (cleaned.length === 0) throw Errors.ProtocolViolation('phrase_list has no speakable words');
  const words = [...new Set(cleaned.flatMap((p) => p.split(' ')))];
  const units = [...cleaned.map((p) => `/1/ (${p})`), ...words.map((w) => `/${WORD_WEIGHT}/ ${w}`)];
  const jsgf = `#JSGF V1.0;\ngrammar phrases;\npublic <command> = <unit>*;\n<unit> = ${units.join(' | ')};\n`;
  return grammarFromJsgf(jsgf, cleaned);
}
