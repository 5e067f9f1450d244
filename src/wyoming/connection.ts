import { canVerifyAtRate, type RecognizerStream } from '../speech/engine.js';
import { VoiceActivityDetector } from '../speech/voice-activity.js';
import { Errors, isHoloMeshError } from '../errors.js';
import { AudioIntake, parseAudioFormat } from './audio.js';
import { replyContext, sessionFromContext } from './context.js';
import { encodeError, encodeEvent, type EventData, type WyomingEvent } from './events.js';
import { buildInfo } from './info.js';
import type { RecentTranscripts } from './recent-transcripts.js';
import type { WyomingServices } from './services.js';

export interface ConnectionDeps {
  readonly services: WyomingServices;
  readonly recent: RecentTranscripts;
  readonly send: (bytes: Buffer) => void;
  readonly log: { debug(obj: unknown, msg: string): void; error(obj: unknown, msg: string): void };
}

/** Longest text taken by `recognize` and `transcript` (as `POST /v1/commands`). */
const MAX_TEXT = 500;

interface Utterance {
  readonly intake: AudioIntake;
  readonly stream: RecognizerStream;
  /** Whether anyone spoke: without speech the transcript is empty, whatever the decoder found. */
  readonly vad: VoiceActivityDetector;
  /** The `context` of the `transcribe` that asked for it, sent back with the transcript. */
  readonly context: unknown;
}

/**
 * One Wyoming client: its events in order (the caller awaits each `onEvent` before the next),
 * answered on the same socket. A client's mistakes get an `error` event and the connection goes
 * on; only a broken frame (see EventParser) ends it.
 */
export class WyomingConnection {
  readonly #deps: ConnectionDeps;
  /** From `transcribe` until its audio starts. */
  #transcribe: { context: unknown } | null = null;
  #utterance: Utterance | null = null;
  /** After a failed utterance: its remaining chunks are dropped until `audio-stop`. */
  #dropping = false;
  #closed = false;

  constructor(deps: ConnectionDeps) {
    this.#deps = deps;
  }

  async onEvent(event: WyomingEvent): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#dispatch(event);
    } catch (err) {
      if (event.type.startsWith('audio-') || event.type === 'transcribe') await this.#dropUtterance(true);
      const error = isHoloMeshError(err) ? err : Errors.Internal();
      if (error.statusCode >= 500) this.#deps.log.error({ err, event: event.type }, 'wyoming event failed');
      else this.#deps.log.debug({ code: error.code, event: event.type }, error.message);
      this.#send(encodeError(error));
    }
  }

  /** The client is gone: events not yet started are skipped (a queued command is not run for nobody). */
  stop(): void {
    this.#closed = true;
  }

  /** Releases the decoder of an unfinished utterance. Idempotent. */
  async dispose(): Promise<void> {
    this.#closed = true;
    await this.#dropUtterance(false);
  }

  async #dispatch({ type, data, payload }: WyomingEvent): Promise<void> {
    switch (type) {
      case 'describe':
        return this.#reply('info', buildInfo(this.#deps.services));
      case 'ping':
        return this.#reply('pong', typeof data.text === 'string' ? { text: data.text } : {});
      case 'transcribe':
        this.#speech();
        await this.#dropUtterance(false);
        this.#transcribe = { context: data.context };
        return;
      case 'audio-start':
        return this.#startAudio(data);
      case 'audio-chunk':
        return this.#acceptAudio(data, payload);
      case 'audio-stop':
        return this.#stopAudio();
      case 'recognize':
        return this.#recognize(data);
      case 'transcript':
        return this.#handle(data);
      default:
        // Events of services we do not offer (wake, tts, satellite …) are not ours to answer.
        this.#deps.log.debug({ event: type }, 'wyoming event ignored');
    }
  }

  #speech() {
    const engine = this.#deps.services.speech;
    if (!engine) throw Errors.SpeechUnavailable('no speech engine is running on this server');
    return engine;
  }

  async #startAudio(data: EventData): Promise<void> {
    const engine = this.#speech();
    await this.#dropUtterance(false);
    const format = parseAudioFormat(data);
    const context = this.#transcribe?.context;
    this.#transcribe = null;
    const stream = await engine.openStream(await this.#deps.services.grammar());
    const vad = await VoiceActivityDetector.create({ sampleRate: engine.sampleRate }).catch(async (err: unknown) => {
      await stream.close();
      throw err;
    });
    if (this.#closed) {
      vad.close();
      await stream.close();
      return;
    }
    this.#utterance = { intake: new AudioIntake(format, engine.sampleRate, this.#deps.services.maxUtteranceS), stream, vad, context };
  }

  async #acceptAudio(data: EventData, payload: Buffer): Promise<void> {
    const utterance = this.#utterance;
    if (!utterance) {
      if (this.#dropping) return;
      throw Errors.ProtocolViolation('audio-chunk before audio-start');
    }
    // Chunks may repeat the format; one that changes mid-utterance cannot be decoded.
    const { rate, width, channels } = utterance.intake.format;
    if ((data.rate !== undefined && data.rate !== rate) || (data.width !== undefined && data.width !== width) || (data.channels !== undefined && data.channels !== channels)) {
      throw Errors.UnsupportedAudio('the audio format changed within an utterance');
    }
    if (utterance.intake.isFull) return;
    const pcm = utterance.intake.push(payload);
    if (pcm.length === 0) return;
    utterance.vad.push(pcm);
    await utterance.stream.accept(pcm);
  }

  async #stopAudio(): Promise<void> {
    const utterance = this.#utterance;
    this.#utterance = null;
    if (!utterance) {
      this.#dropping = false;
      // `transcribe` then no audio at all: nothing was said.
      if (this.#transcribe) {
        const { context } = this.#transcribe;
        this.#transcribe = null;
        this.#reply('transcript', { text: '', ...(context !== undefined ? { context } : {}) });
      }
      return;
    }
    try {
      const tail = utterance.intake.flush();
      if (tail.length > 0) {
        utterance.vad.push(tail);
        await utterance.stream.accept(tail);
      }
      const context = utterance.context !== undefined ? { context: utterance.context } : {};
      if (!utterance.vad.activity.hasSpeech) {
        // Silence or noise: the grammar-bound decoder would still name a command.
        this.#deps.services.onNoSpeech?.();
        this.#reply('transcript', { text: '', ...context });
        return;
      }
      const transcript = await utterance.stream.finish({ verify: canVerifyAtRate(utterance.intake.format.rate) });
      this.#deps.recent.remember(transcript);
      this.#reply('transcript', { text: transcript.text, ...context });
    } finally {
      utterance.vad.close();
      await utterance.stream.close();
    }
  }

  async #recognize(data: EventData): Promise<void> {
    const text = textOf(data);
    const understanding = await this.#deps.services.recognize(text);
    const context = data.context !== undefined ? { context: data.context } : {};
    if (understanding.intent === null) return this.#reply('not-recognized', { text, ...context });
    const entities = Object.entries(understanding.slots).map(([name, value]) => ({ name, value }));
    this.#reply('intent', { name: understanding.intent, entities, text, ...context });
  }

  /** A transcript sent to the handle service: a command for the port's user. */
  async #handle(data: EventData): Promise<void> {
    const runCommand = this.#deps.services.runCommand;
    if (!runCommand) throw Errors.Forbidden('this Wyoming port is not bound to a user (WYOMING_USER), so it cannot act on commands');
    const text = textOf(data).trim();
    const { sessionId, isNew } = sessionFromContext(data.context);
    const context = replyContext(data.context, sessionId);
    // Silence or nothing recognised: never a command, and no turn of the dialog is spent on it.
    if (text === '') return this.#reply('not-handled', { text: "I didn't hear a command.", context });
    const result = await runCommand({ sessionId, isNewSession: isNew, transcript: this.#deps.recent.take(text) });
    const handled = result.outcome === 'ok' || result.outcome === 'rejected';
    this.#reply(handled ? 'handled' : 'not-handled', { text: result.reply.text, context });
  }

  async #dropUtterance(failed: boolean): Promise<void> {
    const utterance = this.#utterance;
    this.#utterance = null;
    this.#dropping = failed;
    // A failed utterance was answered with its error: no transcript follows it.
    if (failed) this.#transcribe = null;
    if (utterance) {
      utterance.vad.close();
      await utterance.stream.close().catch(() => {});
    }
  }

  #reply(type: string, data: EventData): void {
    this.#send(encodeEvent(type, data));
  }

  #send(bytes: Buffer): void {
    if (!this.#closed) this.#deps.send(bytes);
  }
}

function textOf(data: EventData): string {
  const { text } = data;
  if (typeof text !== 'string') throw Errors.ProtocolViolation('"text" must be a string');
  if (text.length > MAX_TEXT) throw Errors.ProtocolViolation(`"text" may hold at most ${MAX_TEXT} characters`);
  return text;
}
