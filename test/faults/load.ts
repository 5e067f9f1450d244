import { randomUUID } from 'node:crypto';

/** One answered (or failed) request of a load run. */
export interface Sample {
  readonly commandId: string;
  readonly text: string;
  readonly sessionId: string;
  readonly startedAt: number;
  readonly ms: number;
  /** HTTP status, or 0 when the request itself failed (connection refused or reset). */
  readonly status: number;
  readonly body: Record<string, unknown> | null;
}

export type Send = (request: { text: string; sessionId: string; commandId: string }) => Promise<{ status: number; body: Record<string, unknown> | null }>;

export interface Load {
  readonly samples: Sample[];
  /** Samples started at or after `since` (ms since epoch). */
  after(since: number): Sample[];
  stop(): Promise<void>;
}

/**
 * A steady stream of commands: `workers` loops, each sending `texts` in turn on its own dialog
 * session, every command with a fresh command id, until `stop()` (or, with `stopWhenUnanswered`,
 * until a request gets no answer at all, as a client whose server died).
 */
export function startLoad(send: Send, options: { workers: number; texts: readonly string[]; prefix: string; stopWhenUnanswered?: boolean }): Load {
  const samples: Sample[] = [];
  let running = true;
  const loop = async (worker: number) => {
    const sessionId = `${options.prefix}-s${worker}-${randomUUID().slice(0, 8)}`;
    for (let n = 0; running; n++) {
      const text = options.texts[n % options.texts.length]!;
      const commandId = `${options.prefix}-${worker}-${n}-${randomUUID().slice(0, 8)}`;
      const startedAt = Date.now();
      let status = 0;
      let body: Record<string, unknown> | null = null;
      try {
        ({ status, body } = await send({ text, sessionId, commandId }));
      } catch {
        // status 0: the request never got an answer
      }
      samples.push({ commandId, text, sessionId, startedAt, ms: Date.now() - startedAt, status, body });
      if (status === 0 && options.stopWhenUnanswered) return;
      // Failing fast must not turn into a busy loop that starves everything else.
      if (status !== 200) await new Promise((r) => setTimeout(r, 20));
    }
  };
  const loops = Array.from({ length: options.workers }, (_, i) => loop(i));
  return {
    samples,
    after: (since) => samples.filter((s) => s.startedAt >= since),
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}
