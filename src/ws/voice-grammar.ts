import type { IntentSet } from '../nlu/index.js';
import { buildGrammar } from '../nlu/index.js';
import type { CatalogLists } from '../marketplace/index.js';
import type { RecognitionGrammar } from '../speech/engine.js';

/**
 * The recogniser grammar for the current catalog: built from the intent templates and the live
 * lists, rebuilt only when the lists change (a new chip is recognised without a restart).
 */
export function createGrammarProvider(intents: IntentSet, catalog: CatalogLists): () => Promise<RecognitionGrammar> {
  let cached: { listsVersion: string; grammar: RecognitionGrammar } | null = null;
  return async () => {
    const snapshot = await catalog.get();
    if (cached?.listsVersion !== snapshot.version) {
      cached = { listsVersion: snapshot.version, grammar: buildGrammar(intents, snapshot.lists) };
    }
    return cached.grammar;
  };
}
