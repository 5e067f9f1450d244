import type { LiveLists } from '../contracts.js';
import { buildGrammar } from '../nlu/grammar.js';
import type { IntentSet } from '../nlu/types.js';
import type { RecognitionGrammar } from './engine.js';
import { templateWordGraph } from './template-graph.js';

export interface SpeechGrammarOptions {
  /** JSGF grammar name. Default `holomesh`. */
  readonly name?: string;
  /** Most states of the word graph (and of each list's or rule's graph on the way). Default 400 000. */
  readonly maxGraphStates?: number;
  /** Told when the templates are too large for a word graph. Default: a process warning (stderr). */
  readonly warn?: (message: string) => void;
}

/**
 * The recogniser grammar of the intent templates and the live lists, whole: `graph` is the
 * decoder's search graph built from the templates' structure (SoundSwallower searches it), `jsgf`
 * the same language as JSGF (other decoders; and the fallback when the graph would be too large,
 * exact but several times slower to search), `phrases` a sample for phrase-list engines, `words`
 * every word, `version` a hash of the content.
 */
export function buildSpeechGrammar(set: IntentSet, lists: LiveLists, options: SpeechGrammarOptions = {}): RecognitionGrammar {
  const template = buildGrammar(set, lists, options.name === undefined ? {} : { name: options.name });
  const graph = templateWordGraph(set, lists, options.maxGraphStates);
  if (!graph) {
    const warn = options.warn ?? ((message: string) => process.emitWarning(message, { code: 'HM_WARN_GRAMMAR_TOO_LARGE' }));
    warn('The intent templates are too large for a word graph: the decoder searches their JSGF instead (the same sentences, several times slower)');
  }
  const words = new Set(template.words);
  for (const w of graph?.words ?? []) words.add(w);
  return { jsgf: template.jsgf, phrases: template.phrases, words: [...words].sort(), version: `sg-${template.version}`, ...(graph ? { graph } : {}) };
}
