import type { IntentSet } from '../nlu/index.js';
import type { CatalogLists } from '../marketplace/index.js';
import type { RecognitionGrammar } from '../speech/engine.js';
import { buildSpeechGrammar } from '../speech/speech-grammar.js';

/**
 * The recogniser grammar for the current catalog: the speech grammar (see
 * src/speech/speech-grammar.ts) built from the intent templates and the live lists, rebuilt
 * only when the lists change (a new chip is recognised without a restart).
 */
export function createGrammarProvider(intents: IntentSet, catalog: CatalogLists): () => Promise<RecognitionGrammar> {
  let cached: { listsVersion: string; grammar: RecognitionGrammar } | null = null;
  return async () => {
    const snapshot = await catalog.get();
    if (cached?.listsVersion !== snapshot.version) {
      cached = { listsVersion: snapshot.version, grammar: buildSpeechGrammar(intents, snapshot.lists) };
    }
    return cached.grammar;
  };
}
