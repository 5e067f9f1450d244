import createModule from 'soundswallower';

/**
 * Did anyone speak? WebRTC's voice-activity detector (a per-frame speech/non-speech classifier
 * on sub-band energies, as it ships inside SoundSwallower) counts the voiced audio of each
 * utterance. A grammar-constrained decoder always finds some command in silence or noise, with
 * high confidence: whether an utterance held speech is decided here, from the audio, never from
 * the recogniser's words.
 */

/** WebRTC VAD aggressiveness: 0 lets most sounds through as speech, 3 keeps only clear voice. */
export type VadMode = 0 | 1 | 2 | 3;

export interface VoiceActivityOptions {
  /** 8 000, 16 000, 32 000 or 48 000 Hz (the rates the WebRTC VAD works at). */
  readonly sampleRate: number;
  /** Default 3: the fewest noises taken for speech; every real recording measured still passes. */
  readonly mode?: VadMode;
  /** Voiced audio an utterance needs to count as speech. Default 250 ms (one short word). */
  readonly minSpeechMs?: number;
  /** Of it, audio this many dB above the utterance's quietest voiced tenth. Default 6 dB … */
  readonly prominenceDb?: number;
  /** … for at least this long. Default 100 ms (the vowel of a "yes"). */
  readonly minProminentMs?: number;
}

export const DEFAULT_VAD_MODE: VadMode = 3;
export const DEFAULT_MIN_SPEECH_MS = 250;
export const DEFAULT_PROMINENCE_DB = 6;
export const DEFAULT_MIN_PROMINENT_MS = 100;

/** WebRTC classifies 10, 20 or 30 ms frames; 10 ms with a 3-frame majority vote smooths single flips. */
const FRAME_SECONDS = 0.01;
const MAJORITY_WINDOW_SECONDS = 0.03;
/** Levels of voiced frames, histogram bins of 1 dB from −120 to 0 dBFS. */
const LEVEL_BINS = 121;
/** A vowel-like frame has at least this share of its energy below LOW_BAND_HZ (clatter rings higher). */
const LOW_BAND_HZ = 1_000;
const LOW_BAND_SHARE = 0.5;
/** The rates the WebRTC VAD works at. */
export const VAD_SAMPLE_RATES = [8_000, 16_000, 32_000, 48_000] as const;

/**
 * The C functions behind SoundSwallower's `Endpointer` class, which the module exports. Called
 * directly: the class converts every 10 ms frame to floats and back and allocates for it, which
 * made classifying 15 times slower, and this runs on the event loop for every stream.
 */
interface VadExports {
  readonly HEAP16: Int16Array;
  _malloc(bytes: number): number;
  /** (window s, ratio, mode, sample rate, frame length s) → endpointer, 0 when the settings are invalid. */
  _endpointer_init(window: number, ratio: number, mode: number, sampleRate: number, frameLength: number): number;
  _endpointer_vad(endpointer: number): number;
  _vad_frame_size(vad: number): number;
  /** Classifies one frame of 16-bit PCM at `pcm` (a heap address). */
  _endpointer_process(endpointer: number, pcm: number): number;
  _endpointer_in_speech(endpointer: number): number;
}

/** One classifier in the WASM heap with its frame buffer. */
interface WasmVad {
  readonly endpointer: number;
  readonly buffer: number;
  readonly frameSize: number;
}

let loaded: Promise<VadExports> | null = null;

/** SoundSwallower's WASM module for this thread, loaded once (no acoustic model: the VAD needs none). */
function wasmModule(): Promise<VadExports> {
  if (!loaded) {
    const before = new Set(process.listeners('uncaughtException'));
    loaded = createModule().then((module) => {
      // Emscripten's Node glue adds a handler that only rethrows (printing the whole minified
      // module as the crash site): on the server's main thread a crash should read as usual.
      for (const listener of process.listeners('uncaughtException')) {
        if (!before.has(listener)) process.off('uncaughtException', listener);
      }
      return module as unknown as VadExports;
    }, (err: unknown) => {
      loaded = null;
      throw err;
    });
  }
  return loaded;
}

/** Loads the WASM module ahead of the first stream (the server does it at start). */
export async function prepareVoiceActivity(): Promise<void> {
  await wasmModule();
}

/**
 * SoundSwallower exports no way to free an endpointer: released ones wait here for the next
 * stream with the same settings, so a server opening streams all day does not grow its heap. A
 * reused one starts from the last stream's noise and speech models; they adapt within seconds.
 */
const spare = new Map<string, WasmVad[]>();
const MAX_SPARE_PER_KEY = 256;

/** What the detector found in one utterance. */
export interface VoiceActivity {
  /** Audio the WebRTC VAD classified as voice, seconds. */
  readonly voicedSeconds: number;
  /** Vowel-like voiced audio standing out from the utterance's quietest voiced audio, seconds. */
  readonly prominentSeconds: number;
  /** Both above their minimum: someone spoke. */
  readonly hasSpeech: boolean;
}

/**
 * One stream's voice-activity detector. Feed it every sample the recogniser gets; read
 * `activity` when the utterance ends, then `startUtterance()` for the next one. The classifier's
 * state (its noise model) runs on across utterances: the room has not changed.
 *
 * Two tests, both needed. The WebRTC VAD must find enough voice: silence, hum, and a noise it has
 * adapted to find none. But a noise that has just started (a tap, a fan, hiss) is voice to it for
 * a second or two while it adapts, and so is the ringing of dishes. Speech, unlike a steady noise,
 * rises and falls from syllable to syllable, and its vowels carry most of their energy below
 * 1 kHz, unlike clatter: some of the voiced audio must also be vowel-like and stand well above
 * the quietest voiced tenth of the utterance.
 */
export class VoiceActivityDetector {
  readonly sampleRate: number;
  readonly #key: string;
  readonly #minVoicedFrames: number;
  readonly #prominenceDb: number;
  readonly #minProminentFrames: number;
  readonly #wasm: VadExports;
  #vad: WasmVad | null;
  readonly #frameSize: number;
  readonly #frame: Int16Array;
  #filled = 0;
  #energy = 0;
  /** The frame's energy below ~1 kHz (one-pole low-pass), where voiced speech has most of its own. */
  #lowEnergy = 0;
  #low = 0;
  readonly #lowPass: number;
  /** Powers of the last three frames: a 30 ms level, steady in noise where 10 ms flickers. */
  readonly #recent = [0, 0, 0];
  #frames = 0;
  #voicedFrames = 0;
  readonly #levels = new Uint32Array(LEVEL_BINS);
  /** The same for the voiced frames whose energy lies mostly below ~1 kHz, as vowels' does. */
  readonly #vowelLevels = new Uint32Array(LEVEL_BINS);

  private constructor(wasm: VadExports, vad: WasmVad, key: string, options: VoiceActivityOptions) {
    this.#wasm = wasm;
    this.#vad = vad;
    this.#key = key;
    this.sampleRate = options.sampleRate;
    const frames = (ms: number) => Math.round(ms / 1000 / FRAME_SECONDS);
    this.#minVoicedFrames = frames(options.minSpeechMs ?? DEFAULT_MIN_SPEECH_MS);
    this.#prominenceDb = options.prominenceDb ?? DEFAULT_PROMINENCE_DB;
    this.#minProminentFrames = frames(options.minProminentMs ?? DEFAULT_MIN_PROMINENT_MS);
    this.#lowPass = 1 - Math.exp((-2 * Math.PI * LOW_BAND_HZ) / options.sampleRate);
    this.#frameSize = vad.frameSize;
    this.#frame = new Int16Array(this.#frameSize);
  }

  /** @throws Error when the rate is not one the WebRTC VAD supports. */
  static async create(options: VoiceActivityOptions): Promise<VoiceActivityDetector> {
    if (!VAD_SAMPLE_RATES.includes(options.sampleRate as (typeof VAD_SAMPLE_RATES)[number])) {
      throw new RangeError(`the voice-activity detector works at ${VAD_SAMPLE_RATES.join(', ')} Hz, not ${options.sampleRate}`);
    }
    const mode = options.mode ?? DEFAULT_VAD_MODE;
    const key = `${options.sampleRate}/${mode}`;
    const wasm = await wasmModule();
    let vad = spare.get(key)?.pop();
    if (!vad) {
      // A window of three frames with ratio 0.5: "in speech" is the majority of the last three.
      const endpointer = wasm._endpointer_init(MAJORITY_WINDOW_SECONDS, 0.5, mode, options.sampleRate, FRAME_SECONDS);
      if (endpointer === 0) throw new RangeError(`the voice-activity detector refused mode ${mode} at ${options.sampleRate} Hz`);
      const frameSize = wasm._vad_frame_size(wasm._endpointer_vad(endpointer));
      vad = { endpointer, frameSize, buffer: wasm._malloc(frameSize * 2) };
    }
    return new VoiceActivityDetector(wasm, vad, key, options);
  }

  /** The current utterance so far. */
  get activity(): VoiceActivity {
    const prominent = this.#prominentFrames();
    return {
      voicedSeconds: this.#voicedFrames * FRAME_SECONDS,
      prominentSeconds: prominent * FRAME_SECONDS,
      hasSpeech: this.#voicedFrames >= this.#minVoicedFrames && prominent >= this.#minProminentFrames,
    };
  }

  /** Classifies 16-bit PCM at `sampleRate`; a partial frame waits for the next call. */
  push(audio: Int16Array): void {
    const vad = this.#vad;
    if (!vad) throw new Error('voice-activity detector used after close()');
    for (let i = 0; i < audio.length;) {
      const take = Math.min(this.#frameSize - this.#filled, audio.length - i);
      for (let j = 0; j < take; j++) {
        const v = audio[i + j]!;
        this.#frame[this.#filled + j] = v;
        const x = v / 32768;
        this.#energy += x * x;
        this.#low += this.#lowPass * (x - this.#low);
        this.#lowEnergy += this.#low * this.#low;
      }
      this.#filled += take;
      i += take;
      if (this.#filled === this.#frameSize) this.#classify(vad);
    }
  }

  /** A new utterance begins: the counts start again (the classifier's state carries on). */
  startUtterance(): void {
    this.#voicedFrames = 0;
    this.#levels.fill(0);
    this.#vowelLevels.fill(0);
  }

  /** Hands the classifier back for another stream. Idempotent. */
  close(): void {
    const vad = this.#vad;
    if (!vad) return;
    this.#vad = null;
    const list = spare.get(this.#key) ?? [];
    if (list.length < MAX_SPARE_PER_KEY) list.push(vad);
    spare.set(this.#key, list);
  }

  #classify(vad: WasmVad): void {
    // HEAP16 is read each time: the heap's views are replaced when the WASM memory grows.
    this.#wasm.HEAP16.set(this.#frame, vad.buffer >> 1);
    this.#wasm._endpointer_process(vad.endpointer, vad.buffer);
    this.#recent[this.#frames++ % 3] = this.#energy / this.#frameSize;
    const isLow = this.#lowEnergy >= LOW_BAND_SHARE * this.#energy && this.#energy > 0;
    this.#filled = 0;
    this.#energy = 0;
    this.#lowEnergy = 0;
    if (this.#wasm._endpointer_in_speech(vad.endpointer) === 0) return;
    this.#voicedFrames++;
    const db = 10 * Math.log10((this.#recent[0]! + this.#recent[1]! + this.#recent[2]!) / 3 + 1e-12);
    const bin = Math.max(0, Math.min(LEVEL_BINS - 1, Math.round(db) + LEVEL_BINS - 1));
    this.#levels[bin]! += 1;
    if (isLow) this.#vowelLevels[bin]! += 1;
  }

  /** Vowel-like voiced frames at least `prominenceDb` above the 10th percentile of the voiced levels. */
  #prominentFrames(): number {
    if (this.#voicedFrames === 0) return 0;
    const rank = 0.1 * (this.#voicedFrames - 1);
    let seen = 0;
    let low = 0;
    while (low < LEVEL_BINS - 1 && seen + this.#levels[low]! <= rank) seen += this.#levels[low++]!;
    let count = 0;
    for (let bin = Math.max(0, low + Math.ceil(this.#prominenceDb)); bin < LEVEL_BINS; bin++) count += this.#vowelLevels[bin]!;
    return count;
  }
}

/**
 * The voice activity of a whole recording, classified in 1 s slices that yield to the event loop
 * between them (an upload of minutes must not stall the other requests).
 */
export async function measureVoiceActivity(samples: Int16Array, options: VoiceActivityOptions): Promise<VoiceActivity> {
  const detector = await VoiceActivityDetector.create(options);
  try {
    for (let i = 0; i < samples.length; i += options.sampleRate) {
      if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      detector.push(samples.subarray(i, i + options.sampleRate));
    }
    return detector.activity;
  } finally {
    detector.close();
  }
}
