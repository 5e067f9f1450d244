import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_GRAMMARS_DIR, renderGrammarFiles } from '../src/cli/grammars.js';
import { loadIntentSet } from '../src/load-intents.js';
import { DEMO_LISTS } from '../src/demo/catalog.js';

describe('committed grammars', () => {
  it('are exactly what `npm run grammars` generates from intents/ (not stale)', async () => {
    const files = renderGrammarFiles(await loadIntentSet(), DEMO_LISTS);
    for (const [name, text] of Object.entries(files)) {
      const committed = await readFile(join(DEFAULT_GRAMMARS_DIR, name), 'utf8');
      expect(committed === text, `${name} is stale: run \`npm run grammars\``).toBe(true);
    }
  });

  it('do not depend on the order of the lists (the database sorts them, the demo catalog does not)', async () => {
    const set = await loadIntentSet();
    const reversed = Object.fromEntries(Object.entries(DEMO_LISTS).map(([name, values]) => [name, [...values].reverse()]));
    expect(renderGrammarFiles(set, reversed)).toEqual(renderGrammarFiles(set, DEMO_LISTS));
  });

  it('contain the demo catalog names and a Vosk unknown-word entry', async () => {
    const jsgf = await readFile(join(DEFAULT_GRAMMARS_DIR, 'marketplace.jsgf'), 'utf8');
    for (const word of ['okafor', 'kenji', 'lumen', 'dragon']) expect(jsgf).toContain(word);
    const phrases = JSON.parse(await readFile(join(DEFAULT_GRAMMARS_DIR, 'marketplace.vosk.json'), 'utf8')) as string[];
    expect(phrases.at(-1)).toBe('[unk]');
    expect(phrases.length).toBeGreaterThan(100);
  });
});
