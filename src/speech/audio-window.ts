/**
 * The latest seconds of an utterance, kept in the chunks it came in (what a final pass decodes).
 * Positions count samples since the utterance began, dropped ones included.
 */
export class AudioWindow {
  readonly #capacity: number;
  #chunks: Float32Array[] = [];
  #dropped = 0;
  #kept = 0;

  /** `capacity`: samples kept at least (whole chunks are dropped from the front beyond it). */
  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** Position of the first kept sample. */
  get start(): number {
    return this.#dropped;
  }

  /** Samples pushed in all. */
  get end(): number {
    return this.#dropped + this.#kept;
  }

  get chunks(): readonly Float32Array[] {
    return this.#chunks;
  }

  push(samples: Float32Array): void {
    if (!samples.length) return;
    this.#chunks.push(samples);
    this.#kept += samples.length;
    while (this.#chunks.length > 1 && this.#kept - this.#chunks[0].length >= this.#capacity) {
      const oldest = this.#chunks.shift()!;
      this.#kept -= oldest.length;
      this.#dropped += oldest.length;
    }
  }

  /** The kept samples from position `from` (clipped to what is kept) to the end. */
  slice(from: number): Float32Array {
    const start = Math.min(this.end, Math.max(this.#dropped, from));
    const audio = new Float32Array(this.end - start);
    let at = this.#dropped;
    for (const chunk of this.#chunks) {
      const skip = Math.max(0, start - at);
      if (skip < chunk.length) audio.set(skip ? chunk.subarray(skip) : chunk, at + skip - start);
      at += chunk.length;
    }
    return audio;
  }
}
