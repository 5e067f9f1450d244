import { DEMO_LISTS } from '../../src/demo/catalog.js';
import { loadIntentSet } from '../../src/load-intents.js';
import { createIntentEngine, type IntentEngine, type IntentSet } from '../../src/nlu/index.js';

let cached: Promise<{ set: IntentSet; engine: IntentEngine }> | null = null;

/** The repository's templates and one engine, built once per test file. */
export function marketplaceEngine(): Promise<{ set: IntentSet; engine: IntentEngine }> {
  cached ??= loadIntentSet().then((set) => ({ set, engine: createIntentEngine(set) }));
  return cached;
}

export const LISTS = DEMO_LISTS;
