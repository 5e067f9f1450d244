import type { Decoder } from 'soundswallower';
import type { TranscriptWord } from '../contracts.js';
import { isGarbageWord } from './grammar-tools.js';

/** A decoder's result for one pass over an utterance: its words, their posteriors and the utterance's confidence. */

export interface Heard {
  readonly text: string;
  readonly words: readonly TranscriptWord[];
  readonly confidence: number;
}

interface AlignmentSegment {
  readonly t: string;
  readonly b: number;
  readonly d: number;
  readonly p: number;
}

const FILLER = /^(<s>|<\/s>|<sil>|\(NULL\)|\[[A-Z_]+\]|\+\+.*\+\+)$/;

/** The decoder's result for the utterance it has just ended; word times (seconds) shifted by `offset`. */
export function readResult(decoder: Decoder, offset = 0): Heard {
  const text = decoder.get_text().trim();
  if (!text) return { text, words: [], confidence: 0 };
  const segments = (decoder.get_alignment() as { w?: readonly AlignmentSegment[] }).w ?? [];
  const words: TranscriptWord[] = [];
  for (const seg of segments) {
    if (FILLER.test(seg.t)) continue;
    words.push({ word: seg.t.replace(/\(\d+\)$/, ''), start: round2(seg.b + offset), end: round2(seg.b + seg.d + offset), conf: clamp01(seg.p) });
  }
  return { text, words, confidence: utteranceConfidence(words) };
}

/**
 * Utterance confidence from the word posteriors: the weakest word decides (one wrong chip
 * name makes the whole command wrong), softened by the mean so one borderline word does not
 * sink an otherwise clear command.
 */
function utteranceConfidence(words: readonly TranscriptWord[]): number {
  if (!words.length) return 0;
  let min = 1;
  let sum = 0;
  for (const w of words) {
    min = Math.min(min, w.conf);
    sum += w.conf;
  }
  return 0.5 * min + 0.5 * (sum / words.length);
}

/** True when the garbage loop took part of the hypothesis: what was said is not a command. */
export const hasGarbage = (text: string): boolean => text.split(/\s+/).some(isGarbageWord);

export function withoutGarbage(text: string): string {
  return text
    .split(/\s+/)
    .filter((w) => w && !isGarbageWord(w))
    .join(' ');
}

const round2 = (v: number): number => Math.round(v * 100) / 100;

const clamp01 = (v: number): number => (Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0);
