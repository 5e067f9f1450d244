import { afterEach, describe, expect, it } from 'vitest';
import { leastLoaded, WorkerPool } from '../../src/speech/worker-pool.js';
import type { BalancedWorker, SpeechLogger } from '../../src/speech/worker-pool.js';
import { spawnModuleWorker } from '../../src/worker-thread.js';

const worker = (id: number, streams = 0, pending = 0, alive = true): BalancedWorker & { id: number } => ({ id, streams, pending, alive });

describe('stream placement across speech workers', () => {
  it('spreads streams opened in one go evenly when each is counted as it is placed', () => {
    const workers = [worker(0), worker(1), worker(2)];
    let last: (typeof workers)[number] | undefined;
    const placed: number[] = [];
    for (let i = 0; i < 9; i++) {
      const w = leastLoaded(workers, last)!;
      w.streams++;
      last = w;
      placed.push(w.id);
    }
    expect(workers.map((w) => w.streams)).toEqual([3, 3, 3]);
    expect(placed.slice(0, 3).sort()).toEqual([0, 1, 2]);
  });

  it('prefers fewer streams, then a shorter queue, and skips dead workers', () => {
    expect(leastLoaded([worker(0, 2), worker(1, 1), worker(2, 3)], undefined)?.id).toBe(1);
    expect(leastLoaded([worker(0, 1, 5), worker(1, 1, 0)], undefined)?.id).toBe(1);
    expect(leastLoaded([worker(0, 0, 0, false), worker(1, 4)], undefined)?.id).toBe(1);
    expect(leastLoaded([worker(0, 0, 0, false)], undefined)).toBeUndefined();
  });

  it('rotates among equally loaded workers', () => {
    const workers = [worker(0), worker(1)];
    expect(leastLoaded(workers, workers[0])?.id).toBe(1);
    expect(leastLoaded(workers, workers[1])?.id).toBe(0);
  });
});

type TestMessage = { type: 'open'; stream: number } | { type: 'crash' } | { type: 'ping' };

const FIXTURE = new URL('../helpers/pool-worker.ts', import.meta.url);
const FAST_RETRY = { maxRestarts: 2, backoffMs: 1, maxBackoffMs: 4 };

function recordingLogger(): SpeechLogger & { errors: string[] } {
  const errors: string[] = [];
  return { errors, info: () => undefined, warn: () => undefined, error: (_obj, msg) => void errors.push(msg ?? '') };
}

describe('worker pool crash policy', () => {
  let pool: WorkerPool<TestMessage> | undefined;
  afterEach(async () => {
    await pool?.close();
    pool = undefined;
  });

  it('fails a crashed worker\'s requests with a clear error and replaces the worker', async () => {
    const logger = recordingLogger();
    pool = await WorkerPool.start<TestMessage>({ size: 1, spawn: () => spawnModuleWorker(FIXTURE, {}), label: 'test', logger, crashPolicy: FAST_RETRY });
    const stream = await pool.openStream((n) => ({ type: 'open', stream: n }));
    const before = await stream.accept(new Int16Array(4));
    await expect(pool.broadcast({ type: 'crash' })).rejects.toMatchObject({ code: 'HM_ERR_SPEECH_WORKER_FAILED', message: expect.stringMatching(/test worker exited \(code 3\)/) });
    // The stream lived in the dead worker: it fails clearly instead of hanging.
    await expect(stream.accept(new Int16Array(4))).rejects.toMatchObject({ code: 'HM_ERR_SPEECH_WORKER_FAILED' });
    await stream.close();
    await pool.settled();
    expect(pool.alive).toBe(1);
    const fresh = await pool.openStream((n) => ({ type: 'open', stream: n }));
    const after = await fresh.accept(new Int16Array(4));
    expect((after as unknown as { thread: number }).thread).not.toBe((before as unknown as { thread: number }).thread);
    expect(logger.errors).toEqual(['test worker died; starting a replacement']);
  });

  it('stops replacing a worker whose replacements fail to start, and tells callers why', async () => {
    const logger = recordingLogger();
    // The first worker starts; every replacement fails to load its model.
    pool = await WorkerPool.start<TestMessage>({ size: 1, spawn: (attempt) => spawnModuleWorker(FIXTURE, { failStart: attempt > 0 }), label: 'test', logger, crashPolicy: FAST_RETRY });
    await expect(pool.broadcast({ type: 'crash' })).rejects.toMatchObject({ code: 'HM_ERR_SPEECH_WORKER_FAILED' });
    await pool.settled();
    expect(pool.alive).toBe(0);
    const refused = pool.openStream((n) => ({ type: 'open', stream: n }));
    await expect(refused).rejects.toMatchObject({ code: 'HM_ERR_SPEECH_ENGINE_UNAVAILABLE' });
    await expect(refused).rejects.toThrow(/No test worker is running: they failed 3 times in a row \(last: Cannot load the acoustic model in \/nowhere\)/);
    expect(logger.errors).toEqual([
      'test worker died; starting a replacement',
      'test worker died; starting a replacement',
      'test worker died; not replaced after 2 failed replacements in a row',
    ]);
  });

  it('fails the whole start when one worker cannot start', async () => {
    await expect(WorkerPool.start<TestMessage>({ size: 2, spawn: (attempt) => spawnModuleWorker(FIXTURE, { failStart: attempt === 1 }), label: 'test' })).rejects.toMatchObject({
      code: 'HM_ERR_SPEECH_MODEL_NOT_FOUND',
    });
  });
});
