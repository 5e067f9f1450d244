import type { Transcript } from '../contracts.js';
import type { FinishOptions, PartialResult, RecognitionGrammar } from './engine.js';
import type { RecognizerSettings } from './recognizer-settings.js';
import type { SerializedError } from './worker-pool.js';

/** Messages between the pool (main thread) and a speech worker. Every request has a `seq`. */
export type WorkerRequest =
  | { readonly type: 'prepare'; readonly seq: number; readonly grammar: RecognitionGrammar }
  | { readonly type: 'open'; readonly seq: number; readonly stream: number; readonly grammar: RecognitionGrammar }
  | { readonly type: 'accept'; readonly seq: number; readonly stream: number; readonly pcm: Int16Array }
  | { readonly type: 'finish'; readonly seq: number; readonly stream: number; readonly options?: FinishOptions }
  | { readonly type: 'close'; readonly seq: number; readonly stream: number };

export type WorkerReply =
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly error: SerializedError }
  | { readonly type: 'reply'; readonly seq: number; readonly ok: true; readonly value: PartialResult | Transcript | null }
  | { readonly type: 'reply'; readonly seq: number; readonly ok: false; readonly error: SerializedError };

export type { SerializedError } from './worker-pool.js';

/** What a worker is started with (its `workerData`). */
export interface WorkerInit {
  readonly settings: RecognizerSettings;
}
