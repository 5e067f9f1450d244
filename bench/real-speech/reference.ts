import type { Worker } from 'node:worker_threads';
import { spawnModuleWorker } from '../../src/worker-thread.js';

/** A pool of reference decoders (see reference-worker.ts), one recording at a time per worker. */

export interface ReferenceInit {
  readonly modelPath: string;
  readonly jsgf: string;
  readonly sampleRate: number;
}

export interface ReferenceRequest {
  readonly seq: number;
  readonly file: string;
}

export interface ReferenceReply {
  readonly seq: number;
  readonly text: string;
  readonly audioSeconds: number;
  readonly decodeSeconds: number;
  readonly error?: string;
}

type Started = { readonly ready: true } | { readonly ready: false; readonly error: string };

export class ReferencePool {
  readonly #workers: Worker[];

  private constructor(workers: Worker[]) {
    this.#workers = workers;
  }

  /** Starts `size` workers, each loading the model and compiling the grammar once. */
  static async start(size: number, init: ReferenceInit): Promise<ReferencePool> {
    const entry = new URL(import.meta.url.endsWith('.ts') ? './reference-worker.ts' : './reference-worker.js', import.meta.url);
    const workers = Array.from({ length: size }, () => spawnModuleWorker(entry, init));
    const pool = new ReferencePool(workers);
    try {
      await Promise.all(workers.map((w) => new Promise<void>((resolve, reject) => {
        w.once('error', reject);
        w.once('message', (m: Started) => (m.ready ? resolve() : reject(new Error(`reference decoder: ${m.error}`))));
      })));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /** Decodes every file, the workers taking the next file as each finishes; replies in file order, and each to `onReply` as it comes. */
  async decodeAll(files: readonly string[], onReply?: (index: number, reply: ReferenceReply) => Promise<void>): Promise<ReferenceReply[]> {
    const replies: ReferenceReply[] = new Array(files.length);
    let next = 0;
    await Promise.all(this.#workers.map(async (worker) => {
      while (next < files.length) {
        const seq = next++;
        replies[seq] = await new Promise<ReferenceReply>((resolve, reject) => {
          const onError = (error: Error): void => reject(error);
          worker.once('error', onError);
          worker.once('message', (reply: ReferenceReply) => {
            worker.off('error', onError);
            resolve(reply);
          });
          worker.postMessage({ seq, file: files[seq] } satisfies ReferenceRequest);
        });
        await onReply?.(seq, replies[seq]);
      }
    }));
    return replies;
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}
