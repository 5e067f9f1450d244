import { grammarFromJsgf } from '../speech/index.js';
import type { RecognitionGrammar } from '../speech/engine.js';
import { Errors } from '../errors.js';

/** Lower-case words only: what a recogniser can say. */
function toWords(phrase: string): string {
  // An apostrophe only inside a word ("what's"): a stray one is not speakable and breaks the JSGF.
  return phrase.toLowerCase().replace(/[^a-z' ]+/g, ' ').split(' ').map((w) => w.replace(/^'+|'+$/g, '')).filter(Boolean).join(' ');
}

/**
 * A per-connection grammar from a vosk-style `phrase_list`: recognition is restricted to
 * exactly these phrases for that stream.
 */
export function grammarFromPhrases(phrases: readonly string[]): RecognitionGrammar {
  const cleaned = [...new Set(phrases.map(toWords).filter(Boolean))];
  if (cleaned.length === 0) throw Errors.ProtocolViolation('phrase_list has no speakable words');
  const jsgf = `#JSGF V1.0;\ngrammar phrases;\npublic <command> = ${cleaned.map((p) => `(${p})`).join(' | ')};\n`;
  return grammarFromJsgf(jsgf, cleaned);
}
