import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { LiveLists } from '../../src/contracts.js';
import { DEMO_LISTS } from '../../src/demo/catalog.js';
import { loadIntentSet } from '../../src/load-intents.js';
import { createIntentEngine, randomSentences, sampleSentences } from '../../src/nlu/index.js';
import { spokenWords } from '../../src/nlu/sample.js';
import type { IntentSet } from '../../src/nlu/index.js';
import { buildSpeechGrammar } from '../../src/speech/index.js';
import { compileWordGraph, graphAcceptor, type WordGraph } from '../../src/speech/word-graph.js';
import { skipWithoutLocalData } from '../helpers/skip.js';

/**
 * The decoder's graph accepts exactly the templates' language: every sentence sampled from the
 * templates walks the graph to its end, and every sentence walked at random through the graph
 * parses back to an intent, exactly (confidence 1 once the skip words around it are dropped).
 */

/** Random walks from the start: at each state every way on (and stopping, where allowed) equally likely. */
function walks(graph: WordGraph, count: number, seed: number): string[][] {
  const out = new Map<number, number[]>();
  for (let i = 0; i < graph.arcs.length; i += 3) {
    const list = out.get(graph.arcs[i]) ?? [];
    list.push(i);
    out.set(graph.arcs[i], list);
  }
  const ending = new Set([graph.final]);
  for (let i = 0; i < graph.nulls.length; i += 2) ending.add(graph.nulls[i]);
  let state = seed;
  const pick = (n: number): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % n;
  };
  const sentences: string[][] = [];
  for (let k = 0; k < count; k++) {
    const words: string[] = [];
    for (let at = graph.start; ;) {
      const arcs = out.get(at) ?? [];
      const choice = pick(arcs.length + (ending.has(at) ? 1 : 0));
      if (choice >= arcs.length) break;
      words.push(graph.words[graph.arcs[arcs[choice] + 2]]);
      at = graph.arcs[arcs[choice] + 1];
    }
    sentences.push(words);
  }
  return sentences;
}

/** The sentence without the skip words ("please", "hey barista") before and after it. */
function withoutSkipWords(set: IntentSet, words: readonly string[]): string {
  let text = ` ${words.join(' ')} `;
  for (const skip of set.skipWords.map((w) => spokenWords(w).join(' ')).filter(Boolean)) {
    if (text.startsWith(` ${skip} `)) text = text.slice(skip.length + 1);
    if (text.endsWith(` ${skip} `)) text = text.slice(0, -skip.length - 1);
  }
  return text.trim();
}

function expectEquivalent(set: IntentSet, lists: LiveLists, sampled: readonly { text: string }[], walked: number): WordGraph {
  const grammar = buildSpeechGrammar(set, lists);
  const graph = grammar.graph!;
  expect(graph).toBeDefined();
  const accepts = graphAcceptor(graph);
  const missed = sampled.filter((s) => !accepts(s.text.split(' ')));
  expect(missed.slice(0, 10).map((s) => s.text), `${missed.length} of ${sampled.length} sampled sentences not in the graph`).toEqual([]);
  // Every word the graph can produce has a pronunciation to look up.
  const known = new Set(grammar.words);
  expect(graph.words.filter((w) => !known.has(w))).toEqual([]);
  const nlu = createIntentEngine(set);
  const wrong: string[] = [];
  for (const words of walks(graph, walked, 7)) {
    const heard = nlu.recognize(words.join(' '), lists);
    const exact = nlu.recognize(withoutSkipWords(set, words), lists);
    if (heard.intent === null || exact.confidence < 1) wrong.push(`${words.join(' ')} → ${exact.intent} (${exact.confidence.toFixed(2)})`);
  }
  expect(wrong.slice(0, 10), `${wrong.length} of ${walked} walks not the templates' sentences`).toEqual([]);
  return graph;
}

describe('the speech grammar accepts exactly the templates\' language', () => {
  it('for a small context: every sentence (all numbers), and random walks back', async () => {
    const set = await loadIntentSet('test/fixtures/coffee.yaml');
    const all = sampleSentences(set, {}, { limit: Infinity, numbers: 'all' });
    expect(all.length).toBeGreaterThan(1000);
    const graph = expectEquivalent(set, {}, all, 1000);
    // The graph is as small as the language allows; the old cut grammar was not smaller.
    expect(graph.states).toBeLessThan(100);
  });

  it('for the marketplace intents: thousands of sentences per intent, with the demo catalog', async () => {
    const set = await loadIntentSet();
    const sampled = [...sampleSentences(set, DEMO_LISTS, { limit: 500 }), ...randomSentences(set, DEMO_LISTS, { perIntent: 2000, seed: 3 })];
    expect(sampled.length).toBeGreaterThan(2000 * set.intents.length);
    const graph = expectEquivalent(set, DEMO_LISTS, sampled, 1500);
    const accepts = graphAcceptor(graph);
    // Number ranges exactly: prices 1 … 100 000.
    const price = (n: string): boolean => accepts(`find chips under ${n} credits`.split(' '));
    for (const n of ['one', 'a hundred thousand', 'ninety nine thousand nine hundred and ninety nine', 'two thousand and five']) expect(price(n), n).toBe(true);
    for (const n of ['zero', 'one hundred thousand one', 'two hundred thousand', 'a thousand a hundred']) expect(price(n), n).toBe(false);
    // The same language as the JSGF written beside it (what other decoders, and the fallback, search).
    // (Minimal deterministic graphs of one language are the same up to numbering.)
    const fromJsgf = compileWordGraph(buildSpeechGrammar(set, DEMO_LISTS).jsgf)!;
    expect([fromJsgf.states, fromJsgf.arcs.length, [...fromJsgf.words].sort()]).toEqual([graph.states, graph.arcs.length, [...graph.words].sort()]);
  }, 30_000);

  it('follows the live lists: a new designer can be heard', async () => {
    const set = await loadIntentSet();
    const lists = { ...DEMO_LISTS, designer: [...(DEMO_LISTS.designer ?? []), 'Zed Quill'] };
    const before = graphAcceptor(buildSpeechGrammar(set, DEMO_LISTS).graph!);
    const after = graphAcceptor(buildSpeechGrammar(set, lists).graph!);
    const sentence = 'subscribe to zed quill'.split(' ');
    expect(before(sentence)).toBe(false);
    expect(after(sentence)).toBe(true);
  });

  it('says so when a graph would be too large, and leaves the decoder the whole language as JSGF', async () => {
    const set = await loadIntentSet('test/fixtures/coffee.yaml');
    const warnings: string[] = [];
    const grammar = buildSpeechGrammar(set, {}, { maxGraphStates: 10, warn: (message) => warnings.push(message) });
    expect(grammar.graph).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(compileWordGraph(grammar.jsgf)?.states).toBe(buildSpeechGrammar(set, {}).graph?.states);
  });

  // The real recordings' context (rich word order: what the old grammar cut), when it is here.
  const realContext = '../shared/speech-dev/coffee.yaml';
  it.skipIf(skipWithoutLocalData(!existsSync(realContext) && `${realContext} is not here (real recordings' context): skipped`))('for the speech-dev coffee context (millions of sentences), thousands sampled', async () => {
    const set = await loadIntentSet(realContext);
    const sampled = [...sampleSentences(set, {}, { limit: 2000 }), ...randomSentences(set, {}, { perIntent: 5000, seed: 5 })];
    expectEquivalent(set, {}, sampled, 1000);
  }, 30_000);
});
