import { existsSync, readFileSync } from 'node:fs';
import { guessPronunciation } from './g2p.js';

/** word → pronunciations (CMU phones), lower-case words. */
export type PronunciationTable = ReadonlyMap<string, readonly string[]>;

export interface ResolvedPronunciation {
  readonly word: string;
  readonly phones: string;
  readonly source: 'dictionary' | 'deployment' | 'g2p';
}

/**
 * Parses a CMU-style pronunciation file: `word PH ON ES` per line, `word(2) …` for variants,
 * `;;;` or `#` comments. Words are lower-cased.
 */
export function parsePronunciations(text: string): PronunciationTable {
  const table = new Map<string, string[]>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';;;')) continue;
    const [head, ...phones] = line.split(/\s+/);
    if (!phones.length) continue;
    const word = head.replace(/\(\d+\)$/, '').toLowerCase();
    const list = table.get(word) ?? [];
    list.push(phones.map((p) => p.replace(/\d$/, '').toUpperCase()).join(' '));
    table.set(word, list);
  }
  return table;
}

/** Reads a per-deployment pronunciation file; a missing file is an empty table. */
export function loadPronunciationFile(path: string | undefined): PronunciationTable {
  if (!path || !existsSync(path)) return new Map();
  return parsePronunciations(readFileSync(path, 'utf8'));
}

/**
 * Gives every grammar word a pronunciation: the model's dictionary first, then the deployment's
 * file, then grapheme-to-phoneme. Returns only the words the dictionary lacks (to add to it).
 */
export function resolveMissingPronunciations(
  words: readonly string[],
  inDictionary: (word: string) => boolean,
  deployment: PronunciationTable,
): ResolvedPronunciation[] {
  const out: ResolvedPronunciation[] = [];
  for (const word of new Set(words.map((w) => w.toLowerCase()))) {
    if (!word || inDictionary(word)) continue;
    const custom = deployment.get(word);
    if (custom?.length) {
      for (const phones of custom) out.push({ word, phones, source: 'deployment' });
      continue;
    }
    const phones = guessPronunciation(word);
    if (phones) out.push({ word, phones, source: 'g2p' });
  }
  return out;
}
