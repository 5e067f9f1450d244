import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Slots } from '../../src/contracts.js';
import { LISTS, marketplaceEngine } from './helpers.js';

interface Case {
  readonly text: string;
  readonly intent: string | null;
  readonly slots: Slots;
}

const corpus: Case[] = readFileSync(new URL('./corpus.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as Case);

const ACCURACY_FLOOR = 0.98;

describe('utterance corpus', () => {
  it('has enough cases', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(450);
    expect(corpus.filter((c) => c.intent === null).length).toBeGreaterThanOrEqual(40);
  });

  it(`understands at least ${ACCURACY_FLOOR * 100} % exactly (intent and slots), with no false purchase`, async () => {
    const { engine } = await marketplaceEngine();
    const failures: string[] = [];
    let falsePurchases = 0;
    for (const c of corpus) {
      const u = engine.recognize(c.text, LISTS);
      const ok = u.intent === c.intent && (c.intent === null || JSON.stringify(sorted(u.slots)) === JSON.stringify(sorted(c.slots)));
      if (!ok) failures.push(`${JSON.stringify(c.text)} → ${u.intent} ${JSON.stringify(u.slots)} (${u.confidence}); expected ${c.intent} ${JSON.stringify(c.slots)}`);
      if (u.intent === 'BuyChip' && c.intent !== 'BuyChip') falsePurchases += 1;
    }
    const accuracy = 1 - failures.length / corpus.length;
    const negatives = corpus.filter((c) => c.intent === null);
    const negativeHits = negatives.filter((c) => engine.recognize(c.text, LISTS).intent !== null).length;
    console.log(`NLU corpus: ${corpus.length - failures.length}/${corpus.length} exact = ${(accuracy * 100).toFixed(1)} %; negatives understood by mistake: ${negativeHits}/${negatives.length}; false purchases: ${falsePurchases}`);
    if (failures.length > 0) console.log(`misses:\n  ${failures.join('\n  ')}`);
    expect(falsePurchases).toBe(0);
    expect(accuracy).toBeGreaterThanOrEqual(ACCURACY_FLOOR);
  });
});

function sorted(slots: Slots): Slots {
  return Object.fromEntries(Object.entries(slots).sort(([a], [b]) => a.localeCompare(b)));
}
