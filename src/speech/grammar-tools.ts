/**
 * A JSGF rewrite applied before a grammar is compiled into the decoder's search graph: a garbage
 * alternative (a loop of single phones and noise units) beside the commands, so speech or noise
 * that is not a command has somewhere better to go than the nearest command.
 */

import { CMU_PHONES } from './phones.js';

/** The 39 CMU phones plus the models' noise units. */
const GARBAGE_PHONES = [...CMU_PHONES, '+NSN+', '+SPN+'] as const;

/** Word prefix of garbage units: no real word starts like this. */
export const GARBAGE_PREFIX = 'hmgarbage';

export interface GarbageOptions {
  /** Weight of each garbage unit (a per-phone penalty): lower = garbage wins less often. */
  readonly phoneWeight: number;
  /** Weight of entering the garbage loop at all, against 1 for the commands. */
  readonly entryWeight: number;
}

/** Dictionary entries for the garbage units: `[word, phones]`. */
export function garbageWords(): [string, string][] {
  return GARBAGE_PHONES.map((p) => [garbageWord(p), p]);
}

function garbageWord(phone: string): string {
  return `${GARBAGE_PREFIX}${phone.replace(/\+/g, '').toLowerCase()}`;
}

/** True for a word of the garbage loop (a result containing one is not a command). */
export function isGarbageWord(word: string): boolean {
  return word.startsWith(GARBAGE_PREFIX);
}

const fmt = (w: number): string => (w >= 0.001 ? String(Number(w.toPrecision(4))) : w.toExponential(3));

/**
 * Wraps a grammar: its public rules become private alternatives of one new public rule, beside
 * a garbage loop of single phones.
 */
export function withGarbageLoop(jsgf: string, options: GarbageOptions): string {
  const publics: string[] = [];
  const body = jsgf.replace(/^(\s*)public\s+<([^>]+)>/gm, (_m, indent: string, name: string) => {
    publics.push(name);
    return `${indent}<${name}>`;
  });
  if (publics.length === 0) return jsgf;
  const commands = publics.map((n) => `<${n}>`).join(' | ');
  const units = GARBAGE_PHONES.map((p) => `/${fmt(options.phoneWeight)}/ ${garbageWord(p)}`).join(' | ');
  return (
    `${body.trimEnd()}\n` +
    `public <hm_utterance> = /1/ ( ${commands} ) | /${fmt(options.entryWeight)}/ <hm_garbage>;\n` +
    `<hm_garbage> = <hm_garbage_unit>+;\n` +
    `<hm_garbage_unit> = ( ${units} );\n`
  );
}
