import type { Transcript, Understanding } from '../contracts.js';

/** How the words of a turn were heard: typed, or by voice with the recogniser's confidences. */
export type Heard = Pick<Transcript, 'source' | 'confidence' | 'words'>;

/**
 * Intent confidence of an answer the templates say outright: an exact match scores 1, a filler
 * ("um yes") 0.97; any substituted, typo'd or unknown word ("thanks" → 0.53, "yse" → 0.69) is below.
 */
export const CLEAR_INTENT_CONFIDENCE = 0.9;

/** Default word confidence a spoken yes needs before it may spend credits (CONFIRM_MIN_ASR_CONFIDENCE). */
export const DEFAULT_CONFIRM_MIN_ASR_CONFIDENCE = 0.85;

/** The weakest word's confidence (the utterance's when the engine gives no words); 1 when typed. */
export function weakestWordConfidence(heard: Heard): number {
  if (heard.source === 'text') return 1;
  const words = heard.words ?? [];
  return words.length === 0 ? heard.confidence : Math.min(heard.confidence, ...words.map((w) => w.conf));
}

/**
 * A yes that may spend credits: the Confirm templates matched outright and, by voice, every word
 * heard with at least `minAsrConfidence`. The same rule for typed and spoken answers.
 */
export function isClearYes(u: Understanding, heard: Heard, minAsrConfidence: number): boolean {
  return u.intent === 'Confirm' && u.confidence >= CLEAR_INTENT_CONFIDENCE && weakestWordConfidence(heard) >= minAsrConfidence;
}

/** A no or cancel said outright ("thank you", a weak Deny, does not cancel a question either). */
export function isClearNo(u: Understanding): boolean {
  return (u.intent === 'Deny' || u.intent === 'Cancel') && u.confidence >= CLEAR_INTENT_CONFIDENCE;
}
