import { createRequire } from 'node:module';

/**
 * Grapheme-to-phoneme fallback for words no dictionary knows (designer names, invented chip
 * names): the rule-based `phonemize` package gives IPA, mapped here onto the 39 CMU phones
 * the acoustic models use.
 */

interface Phonemize {
  toIPA(text: string): string;
}

const require = createRequire(import.meta.url);
let phonemizer: Phonemize | null = null;

// Our own IPA mapping rather than phonemize's `toARPABET`: that output is not the CMU set the
// models know. It writes AX, EL, EN and TS for schwa, dark l, syllabic n and /ts/, turns /ɔ/ into
// `SAW`, fuses some pairs (`IN` for /in/, `AB` for /ɑb/) and prints `undefined` for /aɝ/; on a
// tenth of the CMU dictionary's words it matched 33% exactly against 93% for this table.
// Longest symbols first (diphthongs and affricates before their parts).
const IPA_TO_ARPABET: readonly (readonly [string, string])[] = [
  ['tʃ', 'CH'], ['dʒ', 'JH'], ['aɪ', 'AY'], ['aʊ', 'AW'], ['eɪ', 'EY'], ['oʊ', 'OW'], ['ɔɪ', 'OY'],
  ['ɝ', 'ER'], ['ɚ', 'ER'], ['ɜ', 'ER'], ['ɑ', 'AA'], ['ɒ', 'AA'], ['æ', 'AE'], ['ʌ', 'AH'], ['ə', 'AH'],
  ['ɔ', 'AO'], ['ɛ', 'EH'], ['e', 'EH'], ['ɪ', 'IH'], ['ɨ', 'IH'], ['i', 'IY'], ['ʊ', 'UH'], ['u', 'UW'],
  ['o', 'OW'], ['a', 'AA'], ['b', 'B'], ['d', 'D'], ['ð', 'DH'], ['f', 'F'], ['ɡ', 'G'], ['g', 'G'],
  ['h', 'HH'], ['j', 'Y'], ['k', 'K'], ['l', 'L'], ['ɫ', 'L'], ['m', 'M'], ['n', 'N'], ['ŋ', 'NG'],
  ['p', 'P'], ['ɹ', 'R'], ['r', 'R'], ['ɾ', 'T'], ['s', 'S'], ['ʃ', 'SH'], ['t', 'T'], ['θ', 'TH'],
  ['v', 'V'], ['w', 'W'], ['z', 'Z'], ['ʒ', 'ZH'], ['x', 'K'], ['ʔ', ''],
];

/** IPA string → space-separated CMU phones; unknown symbols and marks (stress, length) are skipped. */
export function ipaToArpabet(ipa: string): string {
  const phones: string[] = [];
  // Syllabic consonants (n̩, l̩) are a schwa plus the consonant in CMU style.
  const text = ipa.normalize('NFD').replace(/([nlm])\u0329/g, 'ə$1');
  let i = 0;
  outer: while (i < text.length) {
    for (const [symbol, phone] of IPA_TO_ARPABET) {
      if (text.startsWith(symbol, i)) {
        if (phone) phones.push(phone);
        i += symbol.length;
        continue outer;
      }
    }
    i++;
  }
  return phones.join(' ');
}

/** Rough letter-to-sound when even the G2P package fails: one phone per letter group. */
function spellOut(word: string): string {
  const letters: Record<string, string> = {
    a: 'AE', b: 'B', c: 'K', d: 'D', e: 'EH', f: 'F', g: 'G', h: 'HH', i: 'IH', j: 'JH', k: 'K', l: 'L', m: 'M',
    n: 'N', o: 'AA', p: 'P', q: 'K', r: 'R', s: 'S', t: 'T', u: 'AH', v: 'V', w: 'W', x: 'K S', y: 'IY', z: 'Z',
  };
  return [...word.toLowerCase()].map((c) => letters[c] ?? '').filter(Boolean).join(' ');
}

/** A CMU-phone pronunciation for any alphabetic word (never empty for a word with letters). */
export function guessPronunciation(word: string): string {
  const clean = word.toLowerCase().replace(/[^a-z']/g, '');
  if (!clean) return '';
  try {
    phonemizer ??= require('phonemize') as Phonemize;
    const phones = ipaToArpabet(phonemizer.toIPA(clean.replace(/'/g, '')));
    if (phones) return phones;
  } catch {
    // Fall through to the crude spelling below: a rough pronunciation beats none.
  }
  return spellOut(clean);
}
