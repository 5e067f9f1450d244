import { describe, expect, it } from 'vitest';
import { leastLoaded } from '../../src/speech/worker-pool.js';
import type { BalancedWorker } from '../../src/speech/worker-pool.js';

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
