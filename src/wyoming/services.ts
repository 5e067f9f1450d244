import type { Transcript, Understanding } from '../contracts.js';
import type { CommandResult } from '../assistant/index.js';
import type { RecognitionGrammar, SpeechEngine } from '../speech/engine.js';

/** What a Wyoming connection uses of the service: the same parts as the HTTP and WebSocket APIs. */
export interface WyomingServices {
  /** The speech engine; null = no speech-to-text offered. */
  readonly speech: SpeechEngine | null;
  /** The recogniser grammar for the current catalog. */
  readonly grammar: () => Promise<RecognitionGrammar>;
  /** Intent recognition alone: no dialog, nothing acted on, nothing logged. */
  readonly recognize: (text: string) => Promise<Understanding>;
  /** Runs a command for the port's user (logged like any other); null = no user configured. */
  readonly runCommand: ((input: { sessionId: string; isNewSession: boolean; transcript: Transcript }) => Promise<CommandResult>) | null;
  /** An utterance held no speech (counted; its transcript was empty). */
  readonly onNoSpeech?: () => void;
  /** Longest utterance decoded; audio beyond it is dropped. */
  readonly maxUtteranceS: number;
  /** The service's version, advertised in `info`. */
  readonly version: string;
}
