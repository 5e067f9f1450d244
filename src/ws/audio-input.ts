import { Endpointer, type EndpointEvent } from '../speech/endpointer.js';
import { VoiceActivityDetector } from '../speech/voice-activity.js';
import { Resampler } from '../speech/resample.js';
import { bytesToPcm16, float32ToPcm16, pcm16ToFloat32 } from '../speech/pcm.js';

export interface AudioInputOptions {
  /** The decoder's rate: everything leaving here is at this rate. */
  readonly engineRate: number;
  readonly trailingSilenceMs: number;
  readonly maxUtteranceMs: number;
}

/** What is left of an utterance when it ends. */
export interface UtteranceEnd {
  /** The resampler's last samples, still to be decoded. */
  readonly tail: Int16Array;
  /** Someone spoke in it (the voice-activity detector's verdict). */
  readonly hasSpeech: boolean;
  /** Where its speech began, seconds since the utterance began; null: it never began. */
  readonly speechStartS: number | null;
}

/**
 * A voice connection's audio on its way to the decoder: the client's PCM16 bytes (a frame may
 * split a sample) at the client's rate, resampled to the decoder's, fed to the endpointer (where
 * does an utterance end?) and the voice-activity detector (did anyone speak?).
 */
export class AudioInput {
  readonly #options: AudioInputOptions;
  /** Kept across utterances: its noise model is the room's, which a new utterance does not change. */
  readonly #vad: VoiceActivityDetector;
  #resampler: Resampler | null = null;
  #endpointer: Endpointer;
  #clientRate: number;
  #oddByte: number | null = null;
  /** Events of the last frame, until the decoder's hypothesis for it is known. */
  #events: EndpointEvent[] = [];
  #speechStartS: number | null = null;
  /** Seconds of audio received on this connection (at the client's rate, before resampling). */
  #receivedS = 0;

  private constructor(options: AudioInputOptions, vad: VoiceActivityDetector) {
    this.#options = options;
    this.#vad = vad;
    this.#clientRate = options.engineRate;
    this.#endpointer = this.#newEndpointer();
  }

  static async create(options: AudioInputOptions): Promise<AudioInput> {
    return new AudioInput(options, await VoiceActivityDetector.create({ sampleRate: options.engineRate }));
  }

  get receivedS(): number {
    return this.#receivedS;
  }

  /** Someone has spoken in the current utterance so far. */
  get hasSpeech(): boolean {
    return this.#vad.activity.hasSpeech;
  }

  /** A new utterance's audio comes at `clientRate`. */
  startUtterance(clientRate: number): void {
    this.#clientRate = clientRate;
    this.#resampler = clientRate === this.#options.engineRate ? null : new Resampler(clientRate, this.#options.engineRate);
    this.#endpointer = this.#newEndpointer();
  }

  /** One binary frame → the samples for the decoder (possibly none: a lone byte, a resampler's lag). */
  push(bytes: Uint8Array): Int16Array {
    // A frame may split a sample in two: keep the odd byte for the next frame.
    let data = bytes;
    if (this.#oddByte !== null) {
      data = new Uint8Array(bytes.byteLength + 1);
      data[0] = this.#oddByte;
      data.set(bytes, 1);
      this.#oddByte = null;
    }
    if (data.byteLength % 2 === 1) this.#oddByte = data[data.byteLength - 1]!;
    let pcm = bytesToPcm16(data);
    this.#receivedS += pcm.length / this.#clientRate;
    if (this.#resampler) pcm = float32ToPcm16(this.#resampler.process(pcm16ToFloat32(pcm)));
    if (pcm.length === 0) return pcm;
    this.#vad.push(pcm);
    this.#events = this.#endpointer.push(pcm);
    const start = this.#events.find((e) => e.type === 'speech-start');
    if (start) this.#speechStartS ??= start.at;
    return pcm;
  }

  /**
   * After the decoder took the last frame, with its hypothesis (a hypothesis that stops changing
   * ends an utterance too): how the utterance ended there, or null while it goes on.
   */
  endpoint(hypothesis: string): 'silence' | 'max-length' | 'stable-hypothesis' | null {
    const events = this.#speechStartS === null ? this.#events : [...this.#events, ...this.#endpointer.hypothesis(hypothesis)];
    this.#events = [];
    const end = events.find((e) => e.type === 'speech-end');
    return end?.type === 'speech-end' ? end.reason : null;
  }

  /** Ends the current utterance: the next audio starts a new one (for the detector and endpointer). */
  endUtterance(): UtteranceEnd {
    let tail: Int16Array = new Int16Array(0);
    if (this.#resampler) {
      tail = float32ToPcm16(this.#resampler.flush());
      if (tail.length > 0) this.#vad.push(tail);
      this.#resampler.reset();
    }
    const end = { tail, hasSpeech: this.#vad.activity.hasSpeech, speechStartS: this.#speechStartS };
    this.#speechStartS = null;
    this.#events = [];
    this.#endpointer.reset();
    this.#vad.startUtterance();
    return end;
  }

  close(): void {
    this.#vad.close();
  }

  #newEndpointer(): Endpointer {
    return new Endpointer({ sampleRate: this.#options.engineRate, trailingSilenceMs: this.#options.trailingSilenceMs, maxUtteranceMs: this.#options.maxUtteranceMs });
  }
}
