import { describe, expect, it } from 'vitest';
import { DEMO_LISTS } from '../../src/db/demo-catalog.js';
import { loadIntentSet } from '../../src/load-intents.js';
import { sampleSentences } from '../../src/nlu/index.js';
import { buildSpeechGrammar } from '../../src/speech/index.js';
import { compactNumberRanges } from '../../src/speech/grammar-tools.js';
import { compileWordGraph, type WordGraph } from '../../src/speech/word-graph.js';

/** Follows the words through the graph: true when they end where the graph may end. */
function accepts(graph: WordGraph, sentence: string): boolean {
  const next = new Map<string, number>();
  for (const [from, to, word] of graph.arcs) next.set(`${from} ${word}`, to);
  let state = graph.start;
  for (const word of sentence.split(' ').filter(Boolean)) {
    const to = next.get(`${state} ${word}`);
    if (to === undefined) return false;
    state = to;
  }
  return state === graph.final || graph.nulls.some(([from, to]) => from === state && to === graph.final);
}

const SMALL = `#JSGF V1.0;
grammar shop;
public <command> = [ please ] ( buy [ the ] <chip> [ chip ] | what is my balance | <chip> please );
<chip> = ( neon dragon | paper crane | <NULL> neon koi );
<unused> = ( <VOID> | never );
`;

describe('word graph', () => {
  it('accepts exactly the sentences of the grammar', () => {
    const graph = compileWordGraph(SMALL)!;
    for (const s of ['buy neon dragon', 'please buy the paper crane chip', 'what is my balance', 'neon koi please', 'please neon dragon please']) {
      expect(accepts(graph, s), s).toBe(true);
    }
    for (const s of ['buy the', 'buy dragon', 'what is my', 'neon koi chip', 'never', '']) expect(accepts(graph, s), s).toBe(false);
  });

  it('is deterministic and minimal: one arc per word from a state, shared endings merged', () => {
    const graph = compileWordGraph(SMALL)!;
    const keys = graph.arcs.map(([from, , word]) => `${from} ${word}`);
    expect(new Set(keys).size).toBe(keys.length);
    // "neon" leads to one state whatever came before it, and the chip names end in one state.
    const afterNeon = new Set(graph.arcs.filter(([, , w]) => w === 'neon').map(([, to]) => to));
    expect(afterNeon.size).toBeLessThanOrEqual(2); // with or without "please" to come
    expect(graph.nulls.every(([, to]) => to === graph.final)).toBe(true);
  });

  it('leaves weights and repetition (the garbage loop) to the decoder\'s own compiler', () => {
    expect(compileWordGraph('#JSGF V1.0;\ngrammar g;\npublic <a> = /1/ yes | /0.001/ no;\n')).toBeNull();
    expect(compileWordGraph('#JSGF V1.0;\ngrammar g;\npublic <a> = <b>+;\n<b> = ( x | y );\n')).toBeNull();
    expect(compileWordGraph('#JSGF V1.0;\ngrammar g;\npublic <a> = <missing>;\n')).toBeNull();
  });

  it('covers the command grammar with a small graph that takes every sampled command', async () => {
    const set = await loadIntentSet();
    const graph = compileWordGraph(compactNumberRanges(buildSpeechGrammar(set, DEMO_LISTS).jsgf))!;
    expect(graph).not.toBeNull();
    // The decoder's own compiler makes ~25 000 states of the same grammar.
    expect(graph.states).toBeLessThan(5_000);
    const sentences = sampleSentences(set, DEMO_LISTS, { limit: 40 });
    expect(sentences.length).toBeGreaterThan(200);
    for (const { text } of sentences) expect(accepts(graph, text), text).toBe(true);
    expect(accepts(graph, 'buy the neon dragon chip')).toBe(true);
    expect(accepts(graph, 'buy the the neon dragon chip')).toBe(false);
  });
});
