import type { Transcript } from '../contracts.js';

/**
 * What this server heard lately, by text. Home Assistant sends our transcript back as plain text
 * to the handle service; finding it here lets the command be logged as the voice command it was
 * (engine, confidence, words) and keeps the assistant's low-confidence rejection in force.
 */
export class RecentTranscripts {
  /** Per text, oldest first: two satellites that both heard "yes" each keep their own transcript. */
  readonly #byText = new Map<string, { transcript: Transcript; at: number }[]>();
  #size = 0;
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
    const queue = this.#byText.get(transcript.text) ?? [];
    // Re-inserted: a Map keeps its keys in insertion order, so the front is the stalest text.
    this.#byText.delete(transcript.text);
    this.#byText.set(transcript.text, [...queue, { transcript, at: this.#now() }]);
    this.#size += 1;
    while (this.#size > this.#max) this.#dropOldest();
  }

  /** The voice transcript for `text`, taken (each is used once), or a typed one. */
  take(text: string): Transcript {
    const queue = this.#byText.get(text) ?? [];
    while (queue.length > 0) {
      const entry = queue.shift()!;
      this.#size -= 1;
      if (queue.length === 0) this.#byText.delete(text);
      if (this.#now() - entry.at <= this.#ttlMs) return entry.transcript;
    }
    return { text, source: 'text', confidence: 1, engine: 'text' };
  }

  #dropOldest(): void {
    const [text, queue] = this.#byText.entries().next().value as [string, { transcript: Transcript; at: number }[]];
    queue.shift();
    this.#size -= 1;
    if (queue.length === 0) this.#byText.delete(text);
  }
}
