import type { Decoder } from 'soundswallower';
import { CMU_PHONES } from './phones.js';

/**
 * Utterance verification: the recogniser's hypothesis, decoded again as the only thing the
 * utterance may say, and how well its words fit the audio. PocketSphinx scores every frame
 * against that frame's best senone (the best any sound of the model does there), so a path's
 * score per frame is a log-likelihood ratio against unconstrained recognition: near 0 when the
 * words fit the audio as well as any sounds would, far below it when speech the grammar cannot say
 * was forced onto the nearest command. That ratio, per frame of speech, is the classic
 * verification test of grammar-constrained recognisers.
 *
 * The fit alone judges a command by its sounds; the decoder's own confidence in it (the word
 * posteriors of the grammar search, utteranceConfidence) says how close other commands came. Speech
 * the grammar cannot say is forced onto a command that competes with its neighbours (real people
 * ordering coffee against the marketplace grammar: confidence mostly 0.73–0.87, their right
 * coffee commands 0.88–0.95), so the two are added up: verificationScore.
 *
 * Noise lowers the fit of right commands too (kitchen noise at 21–24 dB: some of real people's
 * commands fall below the threshold that rejects 98 % of out-of-grammar speech), but less their lead
 * over free phones: a third decode of the same audio by a phone recogniser (a free loop over the
 * model's phones, each phone a word) fits noisy speech worse than a right command does. So in a
 * room with audible noise, a command that falls short of the threshold still stands when it fits
 * at least PHONE_MARGIN nats per frame of speech better than the best phone sequence
 * (passesVerification). In a quiet room the margin is not trusted: there, short out-of-grammar
 * phrases forced onto a command can beat a phone loop that pays for every phone.
 */

/**
 * Nats of fit that one unit of utterance confidence is worth, around CONFIDENCE_PIVOT: a command the
 * decoder is sure of (0.95) may fit one nat per frame worse, an unsure one (0.75) must fit one
 * better. Chosen on the even-numbered recordings of the speech-dev set (weights 8–15 rejected the
 * same out-of-grammar ones); `bench:rejection --stride 4 --offset 1` checks it on the others.
 */
export const CONFIDENCE_WEIGHT = 10;
export const CONFIDENCE_PIVOT = 0.85;

/** What a command's verification is compared with the threshold by: its fit, moved by the decoder's confidence in it. */
export function verificationScore(fit: number, confidence: number): number {
  return fit + CONFIDENCE_WEIGHT * (confidence - CONFIDENCE_PIVOT);
}

/**
 * Nats each phone of the loop earns (weighted by the language weight, as the grammar's words are).
 * It outweighs the word insertion penalty, which would otherwise make the loop skip phones and
 * lose to any command.
 */
export const PHONE_BONUS = 1;

/**
 * From this level spread (LevelSpread: loud frames over the quiet ones, dB) on, commands are
 * verified; in a louder room the fit says too little. People's right commands in kitchen noise at
 * 6 and 12 dB that the rule would reject spread 10–16 dB (bench:rejection --verify-spread 0);
 * from 20 dB on it rejects none of them, and none at 18 or 21 dB, while out-of-grammar speech with
 * no command at 18 / 21 dB rises from 4.3 / 4.8 % to 55.1 / 74.4 % (bench:rejection --snr 18, 21).
 * From 25 dB on, most of that speech would go unverified.
 */
export const VERIFY_MIN_SPREAD_DB = 20;

/**
 * Below this level spread (LevelSpread: loud frames over the quiet ones, dB) the room has audible
 * noise, and the phone margin may save a command that falls short of the threshold. 92 % of the
 * clean recordings of people spread at least this much; the same recordings in kitchen noise at 21
 * and 24 dB 6 % and 18 % (bench:rejection --snr).
 */
export const NOISY_ROOM_SPREAD_DB = 28;

/**
 * Nats per frame of speech by which a command in a noisy room must fit better than the best phone
 * sequence to stand despite its score. On all 207 recordings, the right commands of people in
 * kitchen noise at 21–24 dB that verification ran on and that scored below -3 led by 1.27–2.95 (7);
 * out-of-grammar speech forced onto the marketplace grammar in rooms that noisy, scoring below -3,
 * by -1.82–0.20 (13). Margins of 0.8–1.2 rejected and kept the same commands.
 */
export const PHONE_MARGIN = 1;

/**
 * Whether a command passes verification at `threshold`: its score reaches it or, in a noisy room
 * (level spread under NOISY_ROOM_SPREAD_DB), it fits at least `phoneMargin` better than the best
 * phone sequence. `phoneFit` is asked for only in that last case (it costs a decode).
 */
export function passesVerification(
  v: Verification,
  confidence: number,
  spreadDb: number,
  threshold: number,
  phoneFit: () => number,
  phoneMargin: number | false = PHONE_MARGIN,
): boolean {
  if (verificationScore(v.fit, confidence) >= threshold) return true;
  return phoneMargin !== false && spreadDb < NOISY_ROOM_SPREAD_DB && v.fit - phoneFit() >= phoneMargin;
}

/** A phone's word in the verifying decoder's dictionary (no English word looks like it). */
const phoneWord = (phone: string): string => `ph_${phone.toLowerCase()}`;

/** The C entry points used (SoundSwallower exports them; the JS API wraps none of them). */
export interface VerifierModule {
  _malloc(size: number): number;
  _free(ptr: number): void;
  HEAPU8: Uint8Array;
  HEAP32: Int32Array;
  _decoder_logmath(decoder: number): number;
  _decoder_set_fsg(decoder: number, fsg: number): number;
  _decoder_hyp(decoder: number, outScore: number): number;
  _fsg_model_init(name: number, logmath: number, lw: number, states: number): number;
  _fsg_model_word_add(fsg: number, word: number): number;
  _fsg_model_trans_add(fsg: number, from: number, to: number, logp: number, wid: number): void;
  _fsg_model_free(fsg: number): number;
  _fsg_set_states(fsg: number, start: number, final: number): void;
}

/** What verifying one hypothesis found. */
export interface Verification {
  /**
   * The hypothesis's path score per frame of speech, in nats, against each frame's best senone:
   * 0 at best, lower as its words fit the audio worse.
   */
  readonly fit: number;
  /** 10 ms frames the hypothesis's words cover (silence and noise excluded). */
  readonly speechFrames: number;
}

const FILLER = /^(<s>|<\/s>|<sil>|\(NULL\)|\[[A-Z_]+\]|\+\+.*\+\+)$/;

export class Verifier {
  readonly #low: VerifierModule;
  readonly #decoder: Decoder;
  readonly #host: number;
  readonly #logmath: number;
  readonly #lw: number;
  /** Nats per unit of path score: scores count in the log base shifted by SENSCR_SHIFT (10) bits. */
  readonly #unit: number;
  readonly #score: number;
  /** A phone's bonus in the decoder's log units, weighted as FSG arcs are. */
  readonly #phoneBonus: number;

  /**
   * @param decoder an idle decoder owned by the caller (never streaming: it decodes whole
   *   utterances only); its dictionary must hold every word a hypothesis can contain.
   */
  constructor(low: VerifierModule, decoder: Decoder, host: number) {
    this.#low = low;
    this.#decoder = decoder;
    this.#host = host;
    this.#logmath = low._decoder_logmath(host);
    this.#lw = Number(decoder.get_config('lw'));
    this.#unit = Math.log(Number(decoder.get_config('logbase'))) * 1024;
    this.#score = low._malloc(4);
    this.#phoneBonus = Math.round((PHONE_BONUS / Math.log(Number(decoder.get_config('logbase')))) * this.#lw);
    decoder.add_words(...CMU_PHONES.map((p): [string, string] => [phoneWord(p), p]));
  }

  /** How well `text` fits `audio` (Float32 at the decoder's rate, a whole utterance); null when it cannot be aligned at all. */
  verify(audio: Float32Array, text: string): Verification | null {
    const words = text.split(/\s+/).filter(Boolean);
    if (!words.length) return null;
    const line = this.#fsg(words.length + 1, words.map((w, i) => [i, i + 1, w, 0] as const), 0, words.length);
    const forced = this.#decode(line, audio);
    if (forced === null) return null;
    const segments = (this.#decoder.get_alignment() as { w?: readonly { t: string; d: number }[] }).w ?? [];
    const speechFrames = Math.round(100 * segments.filter((s) => !FILLER.test(s.t)).reduce((sum, s) => sum + s.d, 0));
    return speechFrames > 0 ? { fit: forced / speechFrames, speechFrames } : null;
  }

  /**
   * The best phone sequence's path score over `audio`, per frame of a hypothesis's `speechFrames`
   * (-Infinity when the phone loop found none): what `fit` is compared with in a noisy room.
   */
  phoneFit(audio: Float32Array, speechFrames: number): number {
    // Any phone after any other, from state 0 to state 1 (and on at 1).
    const loop = this.#fsg(2, CMU_PHONES.flatMap((p) => [[0, 1, phoneWord(p), this.#phoneBonus], [1, 1, phoneWord(p), this.#phoneBonus]] as const), 0, 1);
    const phones = this.#decode(loop, audio);
    return phones === null ? -Infinity : phones / speechFrames;
  }

  /** The best path's score through `fsg` (which the decoder takes over, freed when the next graph is set), in nats; null when none reached its end. */
  #decode(fsg: number, audio: Float32Array): number | null {
    if (!fsg) return null;
    if (this.#low._decoder_set_fsg(this.#host, fsg) < 0) {
      this.#low._fsg_model_free(fsg);
      return null;
    }
    const d = this.#decoder;
    d.start();
    d.process_audio(audio, false, true);
    d.stop();
    this.#low._decoder_hyp(this.#host, this.#score);
    if (!d.get_text().trim()) return null;
    return this.#low.HEAP32[this.#score >> 2] * this.#unit;
  }

  dispose(): void {
    this.#low._free(this.#score);
  }

  #fsg(states: number, arcs: readonly (readonly [number, number, string, number])[], start: number, final: number): number {
    const low = this.#low;
    const name = cString(this.#low, 'verify');
    const fsg = low._fsg_model_init(name, this.#logmath, this.#lw, states);
    low._free(name);
    if (!fsg) return 0;
    const ids = new Map<string, number>();
    for (const [from, to, word, logp] of arcs) {
      let id = ids.get(word);
      if (id === undefined) {
        const text = cString(this.#low, word);
        id = low._fsg_model_word_add(fsg, text);
        low._free(text);
        ids.set(word, id);
      }
      low._fsg_model_trans_add(fsg, from, to, logp, id);
    }
    low._fsg_set_states(fsg, start, final);
    return fsg;
  }

}

/** `text` as a NUL-terminated string in the WASM heap; the caller frees it with `_free`. */
export function cString(low: Pick<VerifierModule, '_malloc' | 'HEAPU8'>, text: string): number {
  const bytes = new TextEncoder().encode(`${text}\0`);
  const pointer = low._malloc(bytes.length);
  low.HEAPU8.set(bytes, pointer);
  return pointer;
}
