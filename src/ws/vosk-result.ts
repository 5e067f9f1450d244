import type { Transcript, TranscriptWord } from '../contracts.js';
import type { StreamConfig } from './voice-config.js';

/** A vosk alternative: its text and score, and its word times when words are on. */
interface Alternative {
  readonly text: string;
  readonly confidence: number;
  readonly result?: readonly TranscriptWord[];
}

/** Seconds rounded to 10 ms, as the engine gives them. */
const round2 = (s: number): number => Math.round(s * 100) / 100;

/**
 * The vosk-server fields of a final result. Without alternatives: `{"text", "result"?}`, the word
 * list (word, start, end, conf) only when words are on and something was said, as vosk omits it
 * for an empty result. With `max_alternatives`: `{"alternatives": [{"text", "confidence",
 * "result"?}, …]}`, best first — the engine times the words of the best one only, and scores are
 * 0..1 rather than vosk's lattice scores. `text` stays at the top in both shapes (this server's
 * own clients read it; vosk clients ignore it). Word times count from the start of the
 * connection's audio, as vosk's do (a subtitle writer reads them across utterances):
 * `offsetS` is where this utterance began.
 */
export function voskFinal(transcript: Transcript, config: Pick<StreamConfig, 'words' | 'maxAlternatives'>, offsetS = 0): Record<string, unknown> {
  const words = config.words && transcript.words && transcript.words.length > 0
    ? transcript.words.map((w) => ({ ...w, start: round2(w.start + offsetS), end: round2(w.end + offsetS) }))
    : null;
  if (config.maxAlternatives === 0) return words ? { text: transcript.text, result: words } : { text: transcript.text };
  const confidence = transcript.text === '' ? 0 : transcript.confidence;
  const best: Alternative = words ? { text: transcript.text, confidence, result: words } : { text: transcript.text, confidence };
  // A rejected transcript (empty text) keeps its hypotheses to itself: a client taking any
  // alternative would act on what the recogniser refused.
  const others = transcript.text === ''
    ? []
    : (transcript.alternatives ?? []).filter((a) => a.text !== '' && a.text !== transcript.text).map((a) => ({ text: a.text, confidence: a.confidence }));
  return { alternatives: [best, ...others].slice(0, config.maxAlternatives), text: transcript.text };
}
