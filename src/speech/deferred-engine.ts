import type { RecognitionGrammar, RecognizerStream, SpeechEngine } from './engine.js';

/**
 * A {@link SpeechEngine} that is still starting (model loading, worker threads): the service can
 * listen and answer text commands at once, and the first audio waits for the engine instead.
 */
export class DeferredSpeechEngine implements SpeechEngine {
  readonly sampleRate: number;
  readonly #starting: Promise<SpeechEngine>;
  #ready: SpeechEngine | null = null;

  constructor(starting: Promise<SpeechEngine>, sampleRate: number) {
    this.sampleRate = sampleRate;
    this.#starting = starting;
    starting.then((engine) => { this.#ready = engine; }, () => {});
  }

  get name(): string {
    return this.#ready?.name ?? 'starting';
  }

  get advice(): string | undefined {
    return this.#ready?.advice;
  }

  /** Resolves when the engine runs; rejects if it failed to start. */
  ready(): Promise<SpeechEngine> {
    return this.#starting;
  }

  async openStream(grammar: RecognitionGrammar): Promise<RecognizerStream> {
    return (await this.#starting).openStream(grammar);
  }

  async prepare(grammar: RecognitionGrammar): Promise<void> {
    await (await this.#starting).prepare?.(grammar);
  }

  async close(): Promise<void> {
    await (await this.#starting.catch(() => null))?.close();
  }
}
