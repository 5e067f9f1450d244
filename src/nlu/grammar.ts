import type { LiveLists } from '../contracts.js';
import type { RecognitionGrammar } from '../speech/engine.js';
import { rangeExpression } from './number-grammar.js';
import { listFiller, sampleSentences, spokenWords } from './sample.js';
import type { Expression, IntentSet } from './types.js';

export interface GrammarOptions {
  /** Most phrases per intent in `phrases`. Default 200. */
  readonly phrasesPerIntent?: number;
  /** JSGF grammar name. Default `holomesh`. */
  readonly name?: string;
}

const ruleName = (prefix: string, name: string): string => `<${prefix}_${name.replace(/[^A-Za-z0-9_]/g, '_')}>`;

/**
 * Build the recogniser grammar from the templates and the live lists: a JSGF grammar whose
 * public rule is `<command>`, a phrase list (sampled), and every word (lower case, numbers
 * spelled out, since recognisers emit words). `version` changes whenever the content does.
 */
export function buildGrammar(set: IntentSet, lists: LiveLists, options: GrammarOptions = {}): RecognitionGrammar {
  const words = new Set<string>();
  const terminal = (text: string): string => {
    const spoken = spokenWords(text);
    for (const w of spoken) words.add(w);
    return spoken.join(' ');
  };
  const toJsgf = (expression: Expression): string => {
    switch (expression.kind) {
      case 'word':
        return terminal(expression.text) || '<NULL>';
      case 'seq':
        return expression.items.length === 0 ? '<NULL>' : expression.items.map(toJsgf).join(' ');
      case 'list':
        return ruleName('list', expression.list);
      case 'rule':
        return ruleName('rule', expression.name);
      case 'alt': {
        const isEmpty = (e: Expression): boolean => e.kind === 'seq' && e.items.length === 0;
        const present = expression.options.filter((o) => !isEmpty(o)).map(toJsgf);
        if (present.length === 0) return expression.options.length === 0 ? '<VOID>' : '<NULL>';
        const body = present.length === 1 ? present[0] : `( ${present.join(' | ')} )`;
        return present.length < expression.options.length ? `[ ${body} ]` : body;
      }
    }
  };

  const lines = ['#JSGF V1.0;', '', `grammar ${options.name ?? 'holomesh'};`, ''];
  const intentRules = set.intents.map((intent) => ruleName('intent', intent.name));
  const skip = set.skipWords.map(terminal).filter((w) => w !== '');
  const skipPart = skip.length > 0 ? '[ <skip> ] ' : '';
  lines.push(`public <command> = ${skipPart}( ${intentRules.join(' | ')} )${skip.length > 0 ? ' [ <skip> ]' : ''};`);
  for (const intent of set.intents) {
    const sentences = intent.data.flatMap((data) => data.sentences.map((s) => toJsgf(s.expression)));
    lines.push(`${ruleName('intent', intent.name)} = ( ${sentences.join(' ) | ( ')} );`);
  }
  for (const [name, rule] of Object.entries(set.expansionRules)) lines.push(`${ruleName('rule', name)} = ${toJsgf(rule.expression)};`);
  const fill = listFiller(set, lists, 'sample');
  for (const [name, list] of Object.entries(set.lists)) {
    // Number ranges exactly (see number-grammar.ts); one rule per list, referenced wherever it is used.
    const body = list.kind === 'range'
      ? [toJsgf(rangeExpression(list))]
      : list.kind === 'values'
        ? list.values.map((v) => toJsgf(v.in.expression))
        : [...new Set(fill(name).map((choice) => terminal(choice.words.join(' '))))];
    lines.push(`${ruleName('list', name)} = ${body.length === 0 ? '<VOID>' : body.length === 1 ? body[0] : `( ${body.join(' | ')} )`};`);
  }
  if (skip.length > 0) lines.push(`<skip> = ( ${skip.join(' | ')} );`);
  const jsgf = `${lines.join('\n')}\n`;
  const phrases = [...new Set(sampleSentences(set, lists, { limit: options.phrasesPerIntent ?? 200 }).map((s) => s.text))];
  for (const phrase of phrases) for (const w of phrase.split(' ')) words.add(w);
  const sortedWords = [...words].filter((w) => w !== '').sort();
  return { jsgf, phrases, words: sortedWords, version: fnv1a(`${jsgf}\u0000${phrases.join('\n')}`) };
}

/** 32-bit FNV-1a as 8 hex digits: a cheap, stable content hash (grammar versions). */
export function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}
