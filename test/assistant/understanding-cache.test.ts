import { describe, expect, it } from 'vitest';
import { cachingRecognizer } from '../../src/assistant/understanding-cache.js';
import type { LiveLists, Understanding } from '../../src/contracts.js';

/** A recogniser that counts its calls and answers with the text and the lists it saw. */
function counting() {
  const calls: string[] = [];
  return {
    calls,
    recognize(text: string, lists: LiveLists): Understanding {
      calls.push(text);
      return { text, intent: `seen ${JSON.stringify(lists)}`, confidence: 1, slots: {} };
    },
  };
}

describe('understanding cache', () => {
  it('recognises a repeated text once per version of the lists', () => {
    const inner = counting();
    const cache = cachingRecognizer(inner);
    const v1: LiveLists = { designer: ['Nova'] };
    const v2: LiveLists = { designer: ['Nova', 'Zed Quill'] };
    const first = cache.recognize('what is my balance', v1, 'v1');
    expect(cache.recognize('what is my balance', v1, 'v1')).toBe(first);
    expect(inner.calls).toEqual(['what is my balance']);
    // New lists (a chip published): the answer may differ, so it is recognised again.
    expect(cache.recognize('what is my balance', v2, 'v2').intent).toBe(`seen ${JSON.stringify(v2)}`);
    expect(inner.calls).toHaveLength(2);
  });

  it('forgets the least recently used text beyond its size', () => {
    const inner = counting();
    const cache = cachingRecognizer(inner, 2);
    const lists: LiveLists = {};
    cache.recognize('a', lists, 'v');
    cache.recognize('b', lists, 'v');
    cache.recognize('a', lists, 'v'); // a is now the most recent
    cache.recognize('c', lists, 'v'); // evicts b
    cache.recognize('a', lists, 'v');
    cache.recognize('b', lists, 'v');
    expect(inner.calls).toEqual(['a', 'b', 'c', 'b']);
  });
});
