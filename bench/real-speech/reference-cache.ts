import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fnv1a } from '../../src/nlu/index.js';
import type { ReferenceReply } from './reference.js';

/**
 * The reference decodes kept on disk: they depend only on the model, the grammar, the recordings
 * and how the noise was mixed, and SoundSwallower's JSGF compile searches several times slower than
 * the service, so runs that vary the pipeline reuse them. Delete the folder to measure again.
 */
export class ReferenceCache {
  readonly #file: string;
  readonly #entries: Record<string, Omit<ReferenceReply, 'seq'>>;
  /** Writes one after another: two at once could interleave in the file. */
  #writing: Promise<void> = Promise.resolve();

  private constructor(file: string, entries: Record<string, Omit<ReferenceReply, 'seq'>>) {
    this.#file = file;
    this.#entries = entries;
  }

  /** `identity`: everything the decodes depend on besides the recording and its condition. */
  static async open(folder: string, identity: string): Promise<ReferenceCache> {
    const file = join(folder, `reference-${fnv1a(identity)}.json`);
    const entries = existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as Record<string, Omit<ReferenceReply, 'seq'>>) : {};
    await mkdir(folder, { recursive: true });
    return new ReferenceCache(file, entries);
  }

  get(key: string): ReferenceReply | undefined {
    const found = this.#entries[key];
    return found ? { seq: 0, ...found } : undefined;
  }

  /** Keeps a decode (written at once: a run stopped half-way keeps what it decoded). Failed decodes are not kept. */
  async set(key: string, { seq: _seq, ...reply }: ReferenceReply): Promise<void> {
    if (reply.error) return;
    this.#entries[key] = reply;
    this.#writing = this.#writing.then(() => writeFile(this.#file, JSON.stringify(this.#entries)));
    await this.#writing;
  }
}
