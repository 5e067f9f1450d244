/**
 * Energy-based end-pointing with an adaptive noise floor, driven frame by frame by the transport.
 * It decides when an utterance starts (enough consecutive loud frames: short clicks are ignored)
 * and when it ends (configurable trailing silence, or the maximum utterance length).
 */

export interface EndpointerOptions {
  readonly sampleRate: number;
  /** Analysis frame. Default 10 ms. */
  readonly frameMs?: number;
  /** Silence after speech that ends the utterance. Default 600 ms. */
  readonly trailingSilenceMs?: number;
  /** Loud audio shorter than this is a noise burst, not speech. Default 120 ms. */
  readonly minSpeechMs?: number;
  /** Longest utterance; it is cut there. Default 10 000 ms. */
  readonly maxUtteranceMs?: number;
  /** A frame is speech when this many dB above the noise floor. Default 6 dB (onset). */
  readonly onsetDb?: number;
  /** Once in speech, frames this many dB above the floor keep it going. Default 3 dB. */
  readonly holdDb?: number;
  /** Frames quieter than this (dBFS) are never speech. Default −55 dBFS. */
  readonly absoluteFloorDb?: number;
  /**
   * The recogniser's hypothesis unchanged this long during speech also ends the utterance. In
   * noise as loud as quiet speech (a kitchen, a party) the level never falls back to the floor,
   * but the decoder stops finding new words once the command is said. Default 1 200 ms; 0 disables.
   */
  readonly stableHypothesisMs?: number;
}

export type EndpointEvent =
  | { readonly type: 'speech-start'; /** Seconds since the stream (or last reset) began. */ readonly at: number }
  | { readonly type: 'speech-end'; readonly at: number; readonly reason: 'silence' | 'max-length' | 'stable-hypothesis' };

type State = 'silence' | 'onset' | 'speech';

export class Endpointer {
  readonly sampleRate: number;
  readonly #frameSize: number;
  readonly #frameSeconds: number;
  readonly #trailingFrames: number;
  readonly #minSpeechFrames: number;
  readonly #maxFrames: number;
  readonly #onsetDb: number;
  readonly #holdDb: number;
  readonly #absoluteFloorDb: number;
  #pending = new Float32Array(0);
  #frame = 0;
  /** The frame the current utterance's times count from: the stream's start, or the last reset. */
  #origin = 0;
  #state: State = 'silence';
  #noiseDb: number | null = null;
  #onsetStart = 0;
  #onsetLoud = 0;
  #onsetQuiet = 0;
  #speechStart = 0;
  #lastSpeechFrame = 0;
  #previousSample = 0;
  /** Powers of the last frames, for a 30 ms smoothed level (10 ms frames flicker in noise). */
  #recent: number[] = [];
  /** Smoothed levels of the last 1.5 s: their minimum reveals a steady noise (a fan starting). */
  #history: number[] = [];
  #historyLength: number;
  readonly #stableFrames: number;
  #hypothesis = '';
  #hypothesisFrame = 0;

  constructor(options: EndpointerOptions) {
    this.sampleRate = options.sampleRate;
    const frameMs = options.frameMs ?? 10;
    this.#frameSize = Math.round((options.sampleRate * frameMs) / 1000);
    this.#frameSeconds = this.#frameSize / options.sampleRate;
    this.#trailingFrames = Math.max(1, Math.round((options.trailingSilenceMs ?? 600) / frameMs));
    this.#minSpeechFrames = Math.max(1, Math.round((options.minSpeechMs ?? 120) / frameMs));
    this.#maxFrames = Math.max(1, Math.round((options.maxUtteranceMs ?? 10_000) / frameMs));
    this.#onsetDb = options.onsetDb ?? 6;
    this.#holdDb = options.holdDb ?? 3;
    this.#absoluteFloorDb = options.absoluteFloorDb ?? -55;
    this.#historyLength = Math.round(1500 / frameMs);
    const stableMs = options.stableHypothesisMs ?? 1200;
    this.#stableFrames = stableMs > 0 ? Math.max(1, Math.round(stableMs / frameMs)) : Infinity;
  }

  /** True between a speech-start and its speech-end. */
  get inSpeech(): boolean {
    return this.#state === 'speech';
  }

  /** Current noise floor estimate in dBFS (null before the first frame). */
  get noiseFloorDb(): number | null {
    return this.#noiseDb;
  }

  /** Feeds audio (16-bit PCM or floats in [-1, 1]); returns the events it caused, in order. */
  push(audio: Int16Array | Float32Array): EndpointEvent[] {
    const scale = audio instanceof Int16Array ? 1 / 32768 : 1;
    const merged = new Float32Array(this.#pending.length + audio.length);
    merged.set(this.#pending, 0);
    for (let i = 0; i < audio.length; i++) merged[this.#pending.length + i] = audio[i] * scale;
    const events: EndpointEvent[] = [];
    let offset = 0;
    for (; offset + this.#frameSize <= merged.length; offset += this.#frameSize) {
      const event = this.#step(merged.subarray(offset, offset + this.#frameSize));
      if (event) events.push(event);
    }
    this.#pending = merged.slice(offset);
    return events;
  }

  /**
   * Tells the endpointer the recogniser's current hypothesis, after the audio pushed so far was
   * decoded. Ends the utterance when a non-empty hypothesis has not changed for the configured
   * time while the level still says speech.
   */
  hypothesis(text: string): EndpointEvent[] {
    if (text !== this.#hypothesis) {
      this.#hypothesis = text;
      this.#hypothesisFrame = this.#frame;
      return [];
    }
    if (this.#state !== 'speech' || text === '' || this.#frame - this.#hypothesisFrame < this.#stableFrames) return [];
    this.#state = 'silence';
    return [{ type: 'speech-end', at: this.#seconds(this.#hypothesisFrame), reason: 'stable-hypothesis' }];
  }

  /**
   * Forgets the current utterance (keeps the noise floor: the room has not changed). Event times
   * count from here on, as the decoder's do for the next utterance.
   */
  reset(): void {
    this.#origin = this.#frame;
    this.#state = 'silence';
    this.#pending = new Float32Array(0);
    this.#recent = [];
    this.#hypothesis = '';
    this.#hypothesisFrame = this.#frame;
  }

  #step(frame: Float32Array): EndpointEvent | null {
    // Pre-emphasis: rumble (fans, traffic, brown noise) carries little of what tells speech apart.
    let energy = 0;
    for (let i = 0; i < frame.length; i++) {
      const y = frame[i] - 0.9 * this.#previousSample;
      this.#previousSample = frame[i];
      energy += y * y;
    }
    this.#recent.push(energy / frame.length);
    if (this.#recent.length > 3) this.#recent.shift();
    const power = this.#recent.reduce((a, b) => a + b, 0) / this.#recent.length;
    const db = 10 * Math.log10(power + 1e-12);
    const index = this.#frame++;
    if (this.#noiseDb === null) this.#noiseDb = db;
    const floor = this.#noiseDb;
    const loud = db > this.#absoluteFloorDb && db > floor + this.#onsetDb;
    const held = db > this.#absoluteFloorDb && db > floor + this.#holdDb;
    this.#trackNoise(db);

    switch (this.#state) {
      case 'silence':
        if (loud) {
          this.#state = 'onset';
          this.#onsetStart = index;
          this.#onsetLoud = 1;
          this.#onsetQuiet = 0;
        }
        return null;
      case 'onset':
        if (held) {
          this.#onsetLoud++;
          this.#onsetQuiet = 0;
        } else if (++this.#onsetQuiet > 2) {
          // A burst shorter than a syllable: a click, a clatter, a cough.
          this.#state = 'silence';
          return null;
        }
        if (this.#onsetLoud >= this.#minSpeechFrames) {
          this.#state = 'speech';
          this.#speechStart = this.#onsetStart;
          this.#lastSpeechFrame = index;
          return { type: 'speech-start', at: this.#seconds(this.#onsetStart) };
        }
        return null;
      case 'speech':
        if (held) this.#lastSpeechFrame = index;
        if (index - this.#lastSpeechFrame >= this.#trailingFrames) {
          this.#state = 'silence';
          return { type: 'speech-end', at: this.#seconds(this.#lastSpeechFrame + 1), reason: 'silence' };
        }
        if (index + 1 - this.#speechStart >= this.#maxFrames) {
          this.#state = 'silence';
          return { type: 'speech-end', at: this.#seconds(index + 1), reason: 'max-length' };
        }
        return null;
    }
  }

  #seconds(frame: number): number {
    return (frame - this.#origin) * this.#frameSeconds;
  }

  /** Falls fast to quieter frames, rises slowly (faster outside speech), so speech barely lifts it. */
  #trackNoise(db: number): void {
    const floor = this.#noiseDb ?? db;
    this.#history.push(db);
    if (this.#history.length > this.#historyLength) this.#history.shift();
    if (this.#history.length === this.#historyLength) {
      // Speech rises and falls by well over 6 dB within 1.5 s; a level that stays flat is the room
      // (a fan or a tap starting), whatever its loudness.
      let lowest = Infinity;
      let highest = -Infinity;
      let sum = 0;
      for (const level of this.#history) {
        lowest = Math.min(lowest, level);
        highest = Math.max(highest, level);
        sum += level;
      }
      if (highest - lowest < 6 && lowest > floor) {
        this.#noiseDb = sum / this.#history.length;
        return;
      }
    }
    if (db < floor) this.#noiseDb = floor + 0.1 * (db - floor);
    else this.#noiseDb = floor + (this.#state === 'speech' ? 0.002 : 0.01) * Math.min(db - floor, 20);
  }
}
