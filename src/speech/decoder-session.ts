import type { Transcript } from '../contracts.js';
import { AudioWindow } from './audio-window.js';
import { InputConditioner, LevelSpread } from './conditioning.js';
import type { PooledDecoder } from './decoder-pool.js';
import type { Denoiser, DenoiseStream } from './denoise.js';
import type { FinishOptions, PartialResult } from './engine.js';
import { SpeechError } from './errors.js';
import { DEFAULT_CONDITIONING, DEFAULT_FINAL_PASS_SKIP } from './recognizer-settings.js';
import type { FinalPassSkip, RecognizerSettings } from './recognizer-settings.js';
import { hasGarbage, readResult, withoutGarbage } from './scoring.js';
import type { Heard } from './scoring.js';
import { passesVerification, verificationScore, VERIFY_MIN_SPREAD_DB } from './verifier.js';
import type { Verification, Verifier } from './verifier.js';

/** An utterance's verification as the session saw it (DecoderSession.lastVerification). */
export type VerificationSeen = Verification & { readonly spreadDb: number; readonly confidence: number; readonly score: number; phoneFit?: number };

/** A frame this far over the quiet ones (LevelSpread.peakDb) says speech has begun. */
const SPEECH_BEGUN_DB = 12;

/** Audio kept for the final pass: the last this many seconds of an utterance. */
const MAX_FINAL_PASS_SECONDS = 20;

/**
 * One stream's decoder, utterance after utterance: a streaming pass as the audio comes (levelled,
 * and denoised from when the utterance sounds noisy), then, unless a clear command was heard in a
 * quiet room, a second pass over the whole utterance; the more confident of the two stands, and is
 * rejected when the garbage loop, the confidence floor or verification says so.
 */
export class DecoderSession {
  readonly #pooled: PooledDecoder;
  readonly #settings: RecognizerSettings;
  readonly #release: (d: PooledDecoder) => void;
  readonly #conditioner: InputConditioner | null;
  #started = false;
  #closed = false;
  #partial = '';
  /** The current utterance's latest audio (conditioned, not denoised), for the final pass (null when it is off). */
  #utterance: AudioWindow | null = null;
  readonly #levels: LevelSpread;
  readonly #skip: FinalPassSkip;
  readonly #denoiser: Denoiser | null;
  /**
   * The same audio denoised, from position `from` of the utterance on: started as soon as the
   * utterance sounds noisy, so that its final pass need not wait for a whole utterance's denoising.
   */
  #denoised: { readonly stream: DenoiseStream; readonly window: AudioWindow; readonly from: number } | null = null;
  /** Samples of the current utterance the streaming decoder has heard (raw, then denoised). */
  #fed = 0;
  readonly #verifier: Pick<Verifier, 'verify' | 'phoneFit'> | null;
  /**
   * The last utterance's verification, level spread and score, and its phone loop's fit when that
   * was asked for (diagnostics and benches): null when none ran.
   */
  lastVerification: VerificationSeen | null = null;

  constructor(
    pooled: PooledDecoder,
    settings: RecognizerSettings,
    release: (d: PooledDecoder) => void,
    denoiser: Denoiser | null = null,
    verifier: Pick<Verifier, 'verify' | 'phoneFit'> | null = null,
  ) {
    this.#denoiser = denoiser;
    this.#verifier = verifier;
    this.#pooled = pooled;
    this.#settings = settings;
    this.#release = release;
    const conditioning = settings.conditioning === undefined ? DEFAULT_CONDITIONING : settings.conditioning;
    this.#conditioner = conditioning ? new InputConditioner({ sampleRate: settings.sampleRate, ...conditioning }) : null;
    this.#levels = new LevelSpread(settings.sampleRate);
    this.#skip = settings.finalPassSkip ?? DEFAULT_FINAL_PASS_SKIP;
  }

  accept(pcm: Int16Array): PartialResult {
    this.#assertOpen();
    const { decoder } = this.#pooled;
    if (!this.#started) {
      decoder.start();
      this.#started = true;
      this.#utterance = this.#settings.finalPass === false ? null : new AudioWindow(MAX_FINAL_PASS_SECONDS * this.#settings.sampleRate);
      this.#levels.reset();
      this.#stopDenoising();
      this.#fed = 0;
    }
    if (pcm.length) {
      const samples = this.#conditioner ? this.#conditioner.process(pcm) : Float32Array.from(pcm, (v) => v / 32768);
      let feed = samples;
      if (this.#utterance) {
        this.#levels.push(samples);
        this.#utterance.push(samples);
        // Once the utterance is being denoised, the streaming pass hears the cleaned audio too.
        feed = this.#denoise(samples) ?? samples;
      }
      this.#fed += feed.length;
      if (feed.length) decoder.process_audio(feed, false, false);
      this.#partial = withoutGarbage(decoder.get_text());
    }
    return { partial: this.#partial };
  }

  async finish(options: FinishOptions = {}): Promise<Transcript> {
    this.#assertOpen();
    const { decoder } = this.#pooled;
    const engine = this.#settings.engineName;
    if (!this.#started) return { text: '', source: 'voice', confidence: 0, engine, words: [] };
    decoder.stop();
    this.#started = false;
    const streamed = readResult(decoder);
    const from = Math.round((options.speechFromSeconds ?? 0) * this.#settings.sampleRate);
    const utterance = this.#takeUtterance(from);
    let whole: Heard | null = null;
    const spreadDb = this.#levels.spreadDb();
    // What the final pass hears (denoised in noise) is also what verification judges.
    const audio = utterance && (spreadDb < this.#skip.quietSpreadDb ? this.#takeDenoised(utterance) : utterance.audio);
    this.lastVerification = null;
    if (utterance && audio && needsFinalPass(streamed, spreadDb, this.#skip)) {
      // The whole utterance at once: the front end normalises it with its own cepstral mean.
      // Streaming switches the feature stage to live normalisation for good; a rebuilt one
      // starts from the configured (whole-utterance) mode again.
      await decoder.reinitialize_audio();
      decoder.start();
      decoder.process_audio(audio, false, true);
      decoder.stop();
      // Word times count from the utterance's start, not from where the kept audio starts.
      whole = readResult(decoder, utterance.offset / this.#settings.sampleRate);
    }
    this.#stopDenoising();
    // The more confident pass wins: the whole-utterance one in steady noise, the streaming one
    // (whose prior mean suits clean, short commands better) otherwise.
    const [heard, other] = !whole || (streamed.text && streamed.confidence > whole.confidence) ? [streamed, whole] : [whole, streamed];
    const partial = this.#partial.trim();
    this.#partial = '';
    const rejected = (hypothesis: string, confidence: number): Transcript => ({
      text: '',
      source: 'voice',
      confidence,
      engine,
      words: [],
      alternatives: hypothesis ? [{ text: hypothesis, confidence }] : [],
      // Words were heard (not just silence or noise): the reply is "not understood".
      ...(hypothesis ? { rejected: true } : {}),
    });
    // No path reached the grammar's end (a command cut off): nothing to act on.
    if (!heard.text) return rejected(partial, 0);
    const { text, words, confidence } = heard;
    // The garbage loop won: what was said is not a command (or was drowned in noise).
    if (hasGarbage(text)) return rejected(withoutGarbage(text), 0);
    const threshold = this.#settings.rejectBelow;
    if (threshold !== undefined && confidence < threshold) return rejected(text, confidence);
    // Out-of-grammar speech: the command's words fit the audio far worse than any sounds would.
    const verifyBelow = this.#settings.verifyBelow;
    const floor = typeof verifyBelow === 'number' ? verifyFloor(verifyBelow, spreadDb, this.#settings.verifyMinSpreadDb ?? VERIFY_MIN_SPREAD_DB) : null;
    const verifier = this.#verifier;
    if (audio && verifier && floor !== null && options.verify !== false) {
      const verification = verifier.verify(audio, text);
      if (!verification) return rejected(text, 0);
      const seen: VerificationSeen = { ...verification, spreadDb, confidence, score: verificationScore(verification.fit, confidence) };
      this.lastVerification = seen;
      const phoneFit = () => (seen.phoneFit = verifier.phoneFit(audio, verification.speechFrames));
      if (!passesVerification(verification, confidence, spreadDb, floor, phoneFit, this.#settings.verifyPhoneMargin)) return rejected(text, 0);
    }
    const alternatives = [{ text, confidence }];
    if (other?.text && other.text !== text && !hasGarbage(other.text)) alternatives.push({ text: other.text, confidence: other.confidence });
    return { text, source: 'voice', confidence, engine, words, alternatives };
  }

  /** The kept audio of the utterance from sample `from` on (never less than the last second), and where it starts. */
  #takeUtterance(from: number): { audio: Float32Array; offset: number } | null {
    const window = this.#utterance;
    this.#utterance = null;
    if (!window?.end) return null;
    const offset = Math.max(window.start, Math.min(from, window.end - this.#settings.sampleRate));
    return { audio: window.slice(offset), offset };
  }

  /**
   * Feeds the denoiser once the utterance sounds noisy: a second or more of it, speech begun (a
   * frame SPEECH_BEGUN_DB over the quiet ones: before that, a quiet room's hum spreads as little as
   * noise does) and yet the level spread low. What came before goes in first, so that little is
   * left to denoise when the utterance ends. Returns the denoised audio the streaming decoder has
   * not heard yet (null before denoising began: the decoder hears the audio as it came).
   */
  #denoise(samples: Float32Array): Float32Array | null {
    if (this.#denoised) {
      const out = this.#denoised.stream.push(samples);
      const at = this.#denoised.from + this.#denoised.window.end;
      this.#denoised.window.push(out);
      // The denoiser lags a little: what the decoder heard raw at the switch is not heard twice.
      return out.subarray(Math.min(out.length, Math.max(0, this.#fed - at)));
    }
    const window = this.#utterance;
    if (!this.#denoiser || !window || window.end < this.#settings.sampleRate) return null;
    if (this.#levels.peakDb() < SPEECH_BEGUN_DB || this.#levels.spreadDb() >= this.#skip.quietSpreadDb) return null;
    const denoised = { stream: this.#denoiser.open(this.#settings.sampleRate), window: new AudioWindow(MAX_FINAL_PASS_SECONDS * this.#settings.sampleRate), from: window.start };
    for (const chunk of window.chunks) denoised.window.push(denoised.stream.push(chunk));
    this.#denoised = denoised;
    return null;
  }

  /** The utterance's audio as the final pass of a noisy utterance gets it: denoised, when a denoiser is configured. */
  #takeDenoised(utterance: { audio: Float32Array; offset: number }): Float32Array {
    const denoised = this.#denoised;
    this.#denoised = null;
    if (!denoised) return this.#denoiser ? this.#denoiser.denoise(utterance.audio, this.#settings.sampleRate) : utterance.audio;
    denoised.window.push(denoised.stream.end());
    return denoised.window.slice(utterance.offset - denoised.from);
  }

  #stopDenoising(): void {
    this.#denoised?.stream.close();
    this.#denoised = null;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopDenoising();
    if (this.#started) {
      try {
        this.#pooled.decoder.stop();
      } catch {
        // The decoder goes back to the pool either way; a failed stop leaves nothing to undo.
      }
    }
    this.#release(this.#pooled);
  }

  #assertOpen(): void {
    if (this.#closed) throw new SpeechError('HM_ERR_SPEECH_STREAM_CLOSED', 'The recognition stream is closed');
  }
}

/** Whether an utterance is decoded again, whole: unless the streaming pass heard a clear command in a quiet room (see `finalPassSkip`). */
export function needsFinalPass(
  streamed: { readonly text: string; readonly confidence: number },
  spreadDb: number,
  skip: FinalPassSkip,
): boolean {
  if (!streamed.text || hasGarbage(streamed.text)) return true;
  return streamed.confidence < skip.confidence || spreadDb < skip.quietSpreadDb;
}

/**
 * The fit a command must reach: `threshold` where the level spread is at least `minDb`
 * (VERIFY_MIN_SPREAD_DB unless configured), and no verification in a louder room (null).
 */
export function verifyFloor(threshold: number, spreadDb: number, minDb: number): number | null {
  return spreadDb >= minDb ? threshold : null;
}
