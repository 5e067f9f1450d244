import { randomUUID } from 'node:crypto';
import type { Transcript } from '../contracts.js';
import { toResultFields, type CommandResult } from '../assistant/index.js';
import { canVerifyAtRate, type RecognitionGrammar, type RecognizerStream, type SpeechEngine } from '../speech/engine.js';
import { resample } from '../speech/resample.js';
import { float32ToPcm16, pcm16ToFloat32 } from '../speech/pcm.js';
import { AudioInput } from './audio-input.js';
import { DEFAULT_STREAM_CONFIG, parseStreamConfig, type StreamConfig } from './voice-config.js';
import { parseClientMessage, type ClientMessage } from './voice-messages.js';
import { voskFinal } from './vosk-result.js';
import { Errors, isHoloMeshError, toUnavailableError, toWsFrame, type HoloMeshError } from '../errors.js';


export interface VoiceSessionLimits {
  /** Trailing silence that ends an utterance. */
  readonly trailingSilenceMs: number;
  /** Longest utterance; it is finalised there with an error frame. */
  readonly maxUtteranceMs: number;
  /** A session that sends nothing for this long is closed. */
  readonly idleTimeoutMs: number;
  /** Audio waiting for the decoder beyond this many seconds is refused (the client is too fast). */
  readonly maxBacklogSeconds: number;
  /** Messages of any kind received and not yet handled; beyond this each new one is refused. */
  readonly maxPendingMessages: number;
  /** Bytes of such messages (text frames may be up to 1 MiB each). */
  readonly maxPendingBytes: number;
}

export const DEFAULT_LIMITS: VoiceSessionLimits = {
  trailingSilenceMs: 600,
  maxUtteranceMs: 15_000,
  idleTimeoutMs: 60_000,
  maxBacklogSeconds: 30,
  maxPendingMessages: 256,
  maxPendingBytes: 8 * 1024 * 1024,
};

export interface VoiceSessionDeps {
  readonly engine: SpeechEngine;
  /** The grammar built from the intents and the live lists (cached by its provider). */
  readonly grammar: () => Promise<RecognitionGrammar>;
  /**
   * Runs a command for the authenticated speaker; null = anonymous, transcription only. `commandId`
   * is the client's own id, when it sent one (a retry with it gets the earlier answer); without
   * one the assistant makes a fresh id, which cannot have been logged before.
   */
  readonly runCommand: ((transcript: Transcript, ids: { sessionId: string; commandId?: string }) => Promise<CommandResult>) | null;
  readonly send: (frame: Record<string, unknown>) => void;
  /** Binary frames to the client (synthesized replies). */
  readonly sendBinary?: (data: Uint8Array) => void;
  /** Text-to-speech for `"tts": true` sessions; absent = not offered. */
  readonly synthesize?: (text: string) => Promise<{ sampleRate: number; samples: Int16Array }>;
  readonly close: (code: number, reason: string) => void;
  readonly sessionId?: string;
  readonly limits?: Partial<VoiceSessionLimits>;
  readonly onError?: (err: unknown) => void;
  /** An utterance ended without speech in it (counted; it was answered with an empty final). */
  readonly onNoSpeech?: () => void;
  /**
   * Resolves true once the connection may be served (its session slot is taken), false when it
   * may not (it is being closed). Messages wait in the bounded queue until then. Default: at once.
   */
  readonly admitted?: Promise<boolean>;
}

/** Audio before the detected start of speech that the recogniser's final pass still gets, seconds. */
const SPEECH_LEAD_IN_S = 0.5;

/** WebSocket close codes used by the voice protocol. */
export const CloseCodes = { normal: 1000, goingAway: 1001, policy: 1008, tryAgain: 1013, idle: 4408, unauthorized: 4401, tooMany: 4429 } as const;

/**
 * One `/v1/voice` connection, independent of the socket library: vosk-server's protocol
 * (config message, binary PCM16 frames answered one reply each, `{"eof" : 1}`, `{"reset" : 1}`)
 * plus text commands, server-side endpointing and the assistant's reply in final results.
 * Messages are handled strictly in arrival order; nothing a client sends can throw out of here.
 */
export class VoiceSession {
  readonly sessionId: string;
  readonly #deps: VoiceSessionDeps;
  readonly #limits: VoiceSessionLimits;
  #config: StreamConfig = DEFAULT_STREAM_CONFIG;
  /** A config that came while an utterance was open: it applies from the next one (after a reset). */
  #nextConfig: StreamConfig | null = null;
  /** The current utterance reached the longest allowed length: its final result says so. */
  #cutOff = false;
  /** Where the current utterance began in the audio received (seconds). */
  #utteranceFromS = 0;
  #stream: RecognizerStream | null = null;
  /** Made with the first stream; it lives as long as the connection. */
  #input: AudioInput | null = null;
  #queue: Promise<void> = Promise.resolve();
  #backlogSamples = 0;
  #pendingMessages = 0;
  #pendingBytes = 0;
  #closed = false;
  #idleTimer: NodeJS.Timeout | null = null;

  constructor(deps: VoiceSessionDeps) {
    this.#deps = deps;
    this.#limits = { ...DEFAULT_LIMITS, ...deps.limits };
    this.sessionId = deps.sessionId ?? randomUUID();
    if (deps.admitted) this.#queue = deps.admitted.then((ok) => { if (!ok) this.#closed = true; }, () => { this.#closed = true; });
    this.#touch();
  }

  /** A text frame from the client. */
  onText(raw: string): void {
    this.#touch();
    if (!this.#admit(raw.length)) return;
    // Through the queue like everything else, so replies keep the order of the messages.
    this.#enqueue(raw.length, () => this.#handleMessage(parseClientMessage(raw)));
  }

  /** A binary frame: 16-bit little-endian mono PCM at the configured rate. */
  onBinary(data: Uint8Array): void {
    this.#touch();
    const seconds = data.byteLength / 2 / this.#config.sampleRate;
    if (this.#backlogSamples / this.#config.sampleRate + seconds > this.#limits.maxBacklogSeconds) {
      this.#sendError(Errors.ProtocolViolation(`audio is arriving faster than it can be decoded (over ${this.#limits.maxBacklogSeconds} s waiting); frame dropped`));
      return;
    }
    if (!this.#admit(data.byteLength)) return;
    this.#backlogSamples += data.byteLength / 2;
    const copy = new Uint8Array(data); // the socket library may reuse its buffer
    this.#enqueue(copy.byteLength, async () => {
      this.#backlogSamples -= copy.byteLength / 2;
      await this.#handleAudio(copy);
    });
  }

  /** The socket closed (either side): release the decoder. */
  async dispose(): Promise<void> {
    this.#closed = true;
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    await this.#queue.catch(() => {});
    await this.#stream?.close().catch(() => {});
    this.#stream = null;
    this.#input?.close();
    this.#input = null;
  }

  /** Resolves when every message received so far has been handled (tests, shutdown). */
  drained(): Promise<void> {
    return this.#queue;
  }

  /** False (and an error frame) when a flood of messages would pile up without bound. */
  #admit(bytes: number): boolean {
    if (this.#pendingMessages < this.#limits.maxPendingMessages && this.#pendingBytes + bytes <= this.#limits.maxPendingBytes) return true;
    this.#sendError(Errors.ProtocolViolation(`too many messages waiting (over ${this.#limits.maxPendingMessages} or ${this.#limits.maxPendingBytes} bytes): message dropped`));
    return false;
  }

  #enqueue(bytes: number, task: () => Promise<void>): void {
    this.#pendingMessages += 1;
    this.#pendingBytes += bytes;
    this.#queue = this.#queue.then(async () => {
      if (this.#closed) return;
      try {
        await task();
      } catch (err) {
        this.#deps.onError?.(err);
        this.#sendError(isHoloMeshError(err) ? err : (toUnavailableError(err) ?? Errors.Internal()));
      }
    }).finally(() => {
      this.#pendingMessages -= 1;
      this.#pendingBytes -= bytes;
    });
  }

  async #handleMessage(message: ClientMessage): Promise<void> {
    switch (message.kind) {
      case 'config':
        return this.#configure(message.config);
      case 'eof':
        await this.#finishUtterance('eof');
        this.#closed = true;
        this.#deps.close(CloseCodes.normal, 'eof');
        return;
      case 'reset':
        return this.#finishUtterance('reset');
      case 'text':
        return this.#textCommand(message.text, message.commandId);
    }
  }

  async #configure(raw: unknown): Promise<void> {
    const next = parseStreamConfig(raw, this.#nextConfig ?? this.#config, { canSpeak: this.#deps.synthesize !== undefined });
    // vosk-server answers no config frame and ignores one that comes after the audio began;
    // here it waits for the next stream rather than fail, which would add a reply nobody expects.
    if (this.#stream) {
      this.#nextConfig = next;
    } else {
      this.#config = next;
      this.#nextConfig = null;
    }
  }

  /** The open stream and the input that feeds it; opened by the first audio, and the first after a reset. */
  async #ensureStream(): Promise<{ stream: RecognizerStream; input: AudioInput }> {
    if (this.#stream && this.#input) return { stream: this.#stream, input: this.#input };
    if (this.#nextConfig) {
      this.#config = this.#nextConfig;
      this.#nextConfig = null;
    }
    const { engine } = this.#deps;
    const grammar = this.#config.phraseGrammar ?? await this.#deps.grammar();
    // The input first: it lives with the session, so a failure here leaves no stream open.
    const input = this.#input ?? await AudioInput.create({ engineRate: engine.sampleRate, trailingSilenceMs: this.#limits.trailingSilenceMs, maxUtteranceMs: this.#limits.maxUtteranceMs });
    this.#input = input;
    const stream = await engine.openStream(grammar);
    this.#stream = stream;
    input.startUtterance(this.#config.sampleRate);
    return { stream, input };
  }

  /** vosk-server's loop: the decoder takes the frame, the client gets its partial or, at an endpoint, the final. */
  async #handleAudio(bytes: Uint8Array): Promise<void> {
    const { stream, input } = await this.#ensureStream();
    const pcm = input.push(bytes);
    if (pcm.length === 0) {
      this.#deps.send({ partial: '' });
      return;
    }
    const partial = await stream.accept(pcm);
    const end = input.endpoint(partial.partial);
    if (end) {
      // Said in the final result, not in a frame of its own: one reply per audio frame.
      if (end === 'max-length') this.#cutOff = true;
      await this.#finishUtterance('endpoint');
      return;
    }
    // The decoder puts words on silence and noise too: none are shown until someone has spoken.
    this.#deps.send({ partial: input.hasSpeech ? partial.partial : '' });
  }

  /**
   * Final result of the current utterance (if any audio came) and, when the utterance held
   * speech, the command. Without speech (silence, noise, the tail after an endpoint, a reset or
   * eof with nothing said since the last final) the answer is vosk's empty final: nothing is
   * acted on or logged, whatever words the decoder found.
   */
  async #finishUtterance(why: 'eof' | 'reset' | 'endpoint'): Promise<void> {
    const stream = this.#stream;
    if (!stream || !this.#input) {
      this.#sendNoSpeech();
      return;
    }
    const { tail, hasSpeech, speechStartS } = this.#input.endUtterance();
    if (tail.length > 0) await stream.accept(tail);
    const closing = why === 'reset' || why === 'eof';
    if (!hasSpeech) {
      // After a reset or eof the stream closes unfinished: its words would be thrown away anyway.
      if (closing) await this.#closeStream(stream);
      else await stream.finish();
      this.#sendNoSpeech();
      return;
    }
    // The idle room before the speech (a speaker streams all day) is not decoded again at the end.
    const transcript = await stream.finish({
      ...(speechStartS === null ? {} : { speechFromSeconds: Math.max(0, speechStartS - SPEECH_LEAD_IN_S) }),
      verify: canVerifyAtRate(this.#config.sampleRate) && !this.#config.phraseGrammar,
    });
    // After a reset a new config may follow; the next audio opens a fresh stream.
    if (closing) await this.#closeStream(stream);
    const frame = voskFinal(transcript, this.#config, this.#utteranceFromS);
    this.#utteranceFromS = this.#input.receivedS;
    if (this.#cutOff) frame.cutOff = { maxUtteranceS: this.#limits.maxUtteranceMs / 1000 };
    this.#cutOff = false;
    frame.asrConfidence = transcript.confidence;
    frame.sessionId = this.sessionId;
    const result = await this.#runCommand(transcript, undefined);
    if (result) Object.assign(frame, toResultFields(result));
    await this.#sendWithSpeech(frame, result?.reply.text);
  }

  async #closeStream(stream: RecognizerStream): Promise<void> {
    await stream.close();
    this.#stream = null;
  }

  /** vosk's empty final for an utterance without speech; `outcome` tells it from a rejected one. */
  #sendNoSpeech(): void {
    this.#deps.onNoSpeech?.();
    const frame = voskFinal({ text: '', source: 'voice', confidence: 0, engine: '' }, this.#config);
    this.#utteranceFromS = this.#input?.receivedS ?? 0;
    if (this.#cutOff) frame.cutOff = { maxUtteranceS: this.#limits.maxUtteranceMs / 1000 };
    this.#cutOff = false;
    this.#deps.send({ ...frame, sessionId: this.sessionId, outcome: 'no_speech' });
  }

  async #textCommand(text: string, commandId: string | undefined): Promise<void> {
    const transcript: Transcript = { text, source: 'text', confidence: 1, engine: 'text' };
    const result = await this.#runCommand(transcript, commandId);
    if (!result) throw Errors.Unauthenticated('text commands need a signed-in user');
    await this.#sendWithSpeech({ type: 'reply', text: transcript.text, sessionId: this.sessionId, ...toResultFields(result) }, result.reply.text);
  }

  async #runCommand(transcript: Transcript, commandId: string | undefined): Promise<CommandResult | null> {
    if (!this.#deps.runCommand) return null;
    return this.#deps.runCommand(transcript, commandId === undefined ? { sessionId: this.sessionId } : { sessionId: this.sessionId, commandId });
  }

  /** The JSON frame, then — in tts sessions — the reply as PCM16 frames (announced in `audio`). */
  async #sendWithSpeech(frame: Record<string, unknown>, replyText: string | undefined): Promise<void> {
    const { synthesize, sendBinary } = this.#deps;
    const speech = this.#config.tts && replyText && synthesize && sendBinary
      ? await synthesize(replyText).catch((err: unknown) => { this.#deps.onError?.(err); return null; })
      : null;
    if (!speech || !sendBinary) {
      this.#deps.send(frame);
      return;
    }
    const rate = this.#config.sampleRate;
    const pcm = speech.sampleRate === rate ? speech.samples : float32ToPcm16(resample(pcm16ToFloat32(speech.samples), speech.sampleRate, rate));
    this.#deps.send({ ...frame, audio: { format: 'pcm_s16le', sampleRate: rate, samples: pcm.length } });
    const chunk = rate; // one second per frame
    for (let i = 0; i < pcm.length; i += chunk) {
      const part = pcm.subarray(i, i + chunk);
      sendBinary(new Uint8Array(part.buffer, part.byteOffset, part.byteLength));
    }
  }

  #sendError(err: HoloMeshError): void {
    if (!this.#closed) this.#deps.send(toWsFrame(err));
  }

  #touch(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      if (this.#closed) return;
      this.#sendError(Errors.ProtocolViolation(`no message for ${this.#limits.idleTimeoutMs / 1000} s: closing`));
      this.#closed = true;
      this.#deps.close(CloseCodes.idle, 'idle timeout');
    }, this.#limits.idleTimeoutMs);
    this.#idleTimer.unref();
  }
}
