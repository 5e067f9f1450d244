import type { Transcript } from '../contracts.js';

/**
 * What this server heard lately, by text. Home Assistant sends our transcript back as plain text
 * to the handle service; finding it here lets the command be logged as the voice command it was
 * (engine, confidence, words) and keeps the assistant's low-confidence rejection in force.
 */
export class RecentTranscripts {
  readonly #byText = new Map<string, { transcript: Transcript; at: number }>();
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #now: () => number;

  constructor(options: { ttlMs?: number; max?: number; now?: () => number } = {}) {
    this.#ttlMs = options.ttlMs ?? 60_000;
    this.#max = options.max ?? 256;
    this.#now = options.now ?? Date.now;
  }

  remember(transcript: Transcript): void {
    if (transcript.text === '') return;
    this.#byText.delete(transcript.text);
    this.#byText.set(transcript.text, { transcript, at: this.#now() });
    // Oldest first in a Map: drop from the front.
    while (this.#byText.size > this.#max) this.#byText.delete(this.#byText.keys().next().value as string);
  }

  /** The voice transcript for `text`, taken (each is used once), or a typed one. */
  take(text: string): Transcript {
    const entry = this.#byText.get(text);
    if (entry) {
      this.#byText.delete(text);
      if (this.#now() - entry.at <= this.#ttlMs) return entry.transcript;
    }
    return { text, source: 'text', confidence: 1, engine: 'text' };
  }
}
