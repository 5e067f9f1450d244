import { describe, expect, it } from 'vitest';
import { guessPronunciation, ipaToArpabet } from '../../src/speech/g2p.js';
import { CMU_PHONES } from '../../src/speech/phones.js';

const CMU_PHONE_SET = new Set<string>(CMU_PHONES);

describe('grapheme-to-phoneme fallback', () => {
  it('writes the CMU dictionary entry for words with schwa, dark l, syllabic n, /ts/ and /ɔ/', () => {
    // Expected strings are the CMU dictionary's own entries (stress removed).
    const cmu: Record<string, string> = {
      hello: 'HH AH L OW',
      little: 'L IH T AH L',
      bottle: 'B AA T AH L',
      button: 'B AH T AH N',
      cats: 'K AE T S',
      lawn: 'L AO N',
      water: 'W AO T ER',
      marketplace: 'M AA R K AH T P L EY S',
      abandonment: 'AH B AE N D AH N M AH N T',
      adenosine: 'AH D EH N AH S IY N',
    };
    for (const [word, phones] of Object.entries(cmu)) expect(guessPronunciation(word), word).toBe(phones);
  });

  it('gives invented names a pronunciation in CMU phones only', () => {
    for (const word of ['zorblax', 'quixotron', 'holomesh', 'zelkova', 'balenciaga', 'admire', "o'brien"]) {
      const phones = guessPronunciation(word).split(' ');
      expect(phones.length, word).toBeGreaterThan(1);
      expect(phones.filter((p) => !CMU_PHONE_SET.has(p)), word).toEqual([]);
    }
  });

  it('maps IPA syllabic consonants, affricates and diphthongs, and skips stress and length marks', () => {
    expect(ipaToArpabet('ˈbʌtn̩')).toBe('B AH T AH N');
    expect(ipaToArpabet('ˈtʃɔɪs')).toBe('CH OY S');
    expect(ipaToArpabet('ˈkɑːɹ')).toBe('K AA R');
  });

  it('has nothing to say for a word without letters', () => {
    expect(guessPronunciation('42')).toBe('');
  });
});
