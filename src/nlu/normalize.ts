import { FILLER_PHRASES, REWRITES } from './lexicon.js';
import { parseNumberWords } from './numbers.js';

/** One normalised word of an utterance. */
export interface Token {
  /** What the matcher compares: lower-case, rewritten, numbers as digits, inflections folded. */
  readonly norm: string;
  /** Before folding inflections (filler phrases are matched on this). */
  readonly word: string;
  /** The surface word as written or heard, case kept (used for unknown slot values). */
  readonly raw: string;
  /** Index of the surface word the token came from (contractions give two tokens). */
  readonly rawIndex: number;
}

const APOSTROPHES = /[\u2019\u2018`\u00b4]/g;
const SUFFIXES: readonly (readonly [string, string])[] = [["n't", ' not'], ["'re", ' are'], ["'ll", ' will'], ["'ve", ' have'], ["'d", ' would'], ["'m", ' am'], ["'s", '']];

/** Split text into surface words (case kept), dropping punctuation and accents. */
export function surfaceWords(text: string): string[] {
  const cleaned = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(APOSTROPHES, "'")
    .replace(/&/g, ' and ')
    .replace(/(\d),(\d{3})\b/g, '$1$2')
    .replace(/(\d)([a-z])/gi, '$1 $2')
    .replace(/([a-z])(\d)/gi, '$1 $2')
    .replace(/\$/g, ' ')
    .replace(/[^a-z0-9']+/gi, ' ');
  return cleaned.split(' ').map((w) => w.replace(/^'+|'+$/g, '')).filter((w) => w.length > 0);
}

function rewrite(word: string): string[] {
  // Own keys only: "constructor" must stay a word, not find Object.prototype's.
  if (Object.hasOwn(REWRITES, word)) return REWRITES[word].split(' ');
  for (const [suffix, replacement] of SUFFIXES) {
    if (word.endsWith(suffix) && word.length > suffix.length) {
      return `${word.slice(0, -suffix.length)}${replacement}`.replace(/'/g, '').split(' ').filter(Boolean);
    }
  }
  return [word.replace(/'/g, '')];
}

/**
 * Normalise text for matching: lower case, contractions expanded, British spellings and chat
 * shorthand rewritten, spoken numbers turned into digits ("forty two" → "42"), and inflections of
 * template words folded with `inflections` (e.g. "chips" → "chip").
 */
export function normalizeText(text: string, inflections?: ReadonlyMap<string, string>): Token[] {
  const raws = surfaceWords(text);
  const words: { word: string; rawIndex: number }[] = [];
  raws.forEach((raw, rawIndex) => {
    for (const word of rewrite(raw.toLowerCase())) words.push({ word, rawIndex });
  });
  const plain = words.map((w) => w.word);
  const tokens: Token[] = [];
  for (let i = 0; i < words.length; ) {
    const number = /^\d+$/.test(plain[i]) ? null : parseNumberWords(plain, i);
    if (number !== null) {
      const digits = String(number.value);
      tokens.push({ norm: digits, word: digits, raw: raws.slice(words[i].rawIndex, words[i + number.length - 1].rawIndex + 1).join(' '), rawIndex: words[i].rawIndex });
      i += number.length;
      continue;
    }
    const { word, rawIndex } = words[i];
    const digits = /^0*(\d+)$/.exec(word);
    const norm = digits !== null ? digits[1] : inflections?.get(word) ?? word;
    tokens.push({ norm, word, raw: raws[rawIndex], rawIndex });
    i += 1;
  }
  return tokens;
}

/** For each token, true when it belongs to a filler phrase ("could you", "um", "please"). */
export function fillerMask(tokens: readonly Token[], extra: ReadonlySet<string> = new Set()): boolean[] {
  const mask = tokens.map((t) => extra.has(t.word));
  for (let i = 0; i < tokens.length; i += 1) {
    for (const phrase of FILLER_PHRASES) {
      if (i + phrase.length > tokens.length) continue;
      let same = true;
      for (let k = 0; k < phrase.length && same; k += 1) same = tokens[i + k].word === phrase[k];
      if (same) {
        for (let k = 0; k < phrase.length; k += 1) mask[i + k] = true;
        break;
      }
    }
  }
  return mask;
}
