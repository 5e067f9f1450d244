import { describe, expect, it } from 'vitest';
import { compileWordGraph, graphAcceptor, type WordGraph } from '../../src/speech/word-graph.js';

const accepts = (graph: WordGraph, sentence: string): boolean => graphAcceptor(graph)(sentence.split(' ').filter(Boolean));

/** `[from, word]` of every arc. */
const arcList = (graph: WordGraph): [number, number, string][] => {
  const out: [number, number, string][] = [];
  for (let i = 0; i < graph.arcs.length; i += 3) out.push([graph.arcs[i], graph.arcs[i + 1], graph.words[graph.arcs[i + 2]]]);
  return out;
};

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
    const arcs = arcList(graph);
    const keys = arcs.map(([from, , word]) => `${from} ${word}`);
    expect(new Set(keys).size).toBe(keys.length);
    // "neon" leads to one state whatever came before it, and the chip names end in one state.
    const afterNeon = new Set(arcs.filter(([, , w]) => w === 'neon').map(([, to]) => to));
    expect(afterNeon.size).toBeLessThanOrEqual(2); // with or without "please" to come
    for (let i = 0; i < graph.nulls.length; i += 2) expect(graph.nulls[i + 1]).toBe(graph.final);
  });

  it('leaves weights and repetition (the garbage loop) to the decoder\'s own compiler', () => {
    expect(compileWordGraph('#JSGF V1.0;\ngrammar g;\npublic <a> = /1/ yes | /0.001/ no;\n')).toBeNull();
    expect(compileWordGraph('#JSGF V1.0;\ngrammar g;\npublic <a> = <b>+;\n<b> = ( x | y );\n')).toBeNull();
    expect(compileWordGraph('#JSGF V1.0;\ngrammar g;\npublic <a> = <missing>;\n')).toBeNull();
  });
});
