import type { Decoder } from 'soundswallower';
import { SpeechError } from './errors.js';
import { cString } from './verifier.js';
import type { VerifierModule } from './verifier.js';
import type { WordGraph } from './word-graph.js';

/**
 * Search graphs (PocketSphinx FSGs) in the WASM heap, below SoundSwallower's JS API: built once
 * per grammar and shared by every decoder of a thread, which the API (one `set_grammar` compile per
 * decoder) cannot do. Everything here is a raw pointer into the module's memory; an FSG lives until
 * its last reference is freed.
 */

/** The C entry points used (SoundSwallower exports them; its JS API wraps none of them). */
export interface FsgModule extends VerifierModule {
  _jsgf_parse_string(text: number, parent: number): number;
  _jsgf_get_public_rule(jsgf: number): number;
  _jsgf_build_fsg(jsgf: number, rule: number, logmath: number, lw: number): number;
  _jsgf_grammar_free(jsgf: number): void;
  _fsg_model_null_trans_add(fsg: number, from: number, to: number, logp: number): number;
}

/** The C decoder behind a JS one. */
export function hostPointer(decoder: Decoder): number {
  return (decoder as unknown as { cdecoder: number }).cdecoder;
}

/** PocketSphinx's own JSGF compiler (0 when the text does not compile). */
export function jsgfToFsg(low: FsgModule, source: string, logmath: number, lw: number): number {
  const text = cString(low, source);
  const jsgf = low._jsgf_parse_string(text, 0);
  low._free(text);
  const rule = jsgf ? low._jsgf_get_public_rule(jsgf) : 0;
  const fsg = rule ? low._jsgf_build_fsg(jsgf, rule, logmath, lw) : 0;
  if (jsgf) low._jsgf_grammar_free(jsgf);
  return fsg;
}

/**
 * The word graph as the decoder's FSG, every arc free (0 when it cannot be created). (Sharing each
 * state's probability among its ways on, as the JSGF compiler does among alternatives, got fewer
 * commands right: bench/speech.ts.)
 */
export function graphToFsg(low: FsgModule, graph: WordGraph, logmath: number, lw: number): number {
  const name = cString(low, 'holomesh');
  const fsg = low._fsg_model_init(name, logmath, lw, graph.states);
  low._free(name);
  if (!fsg) return 0;
  const ids = graph.words.map((word) => {
    const text = cString(low, word);
    const id = low._fsg_model_word_add(fsg, text);
    low._free(text);
    return id;
  });
  const { arcs, nulls } = graph;
  for (let i = 0; i < arcs.length; i += 3) low._fsg_model_trans_add(fsg, arcs[i], arcs[i + 1], 0, ids[arcs[i + 2]]);
  for (let i = 0; i < nulls.length; i += 2) low._fsg_model_null_trans_add(fsg, nulls[i], nulls[i + 1], 0);
  low._fsg_set_states(fsg, graph.start, graph.final);
  return fsg;
}

/**
 * Makes `fsg` the decoder's search graph. The decoder takes over one reference (and drops it when
 * given another grammar); the caller keeps its own. `refcount` is the first field of fsg_model_t
 * (no retain function is exported), so the count is written directly.
 */
export function attachFsg(low: FsgModule, decoder: Decoder, fsg: number): void {
  low.HEAP32[fsg >> 2] += 1;
  if (low._decoder_set_fsg(hostPointer(decoder), fsg) < 0) {
    low.HEAP32[fsg >> 2] -= 1;
    throw new SpeechError('HM_ERR_SPEECH_GRAMMAR_INVALID', 'The recognition grammar cannot be searched with this model');
  }
}

/** Drops the caller's reference (decoders using the graph keep theirs). */
export function releaseFsg(low: FsgModule, fsg: number): void {
  low._fsg_model_free(fsg);
}
