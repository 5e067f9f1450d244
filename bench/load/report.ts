/** How a load run is printed: one line per run, and the summary over all of them. */
import { loadavg } from 'node:os';
import { P99_TARGET_MS, RATES, REPEAT } from './options.js';
import { PROBE_INTERVAL_MS, type bucketDelta } from './probes.js';
import type { RunFigures } from './runs.js';

export const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

export function loadLine(): string {
  return `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} (1/5/15 min) on this machine`;
}

export function printRun(f: RunFigures): void {
  const sorted = [...f.latencies].sort((a, b) => a - b);
  const rate = f.done / f.seconds;
  console.log(
    `${f.label.padEnd(5)} ${String(f.target).padStart(5)}/s → ${fmt(rate, 0).padStart(5)} cmd/s   `
    + `p50 ${fmt(percentile(sorted, 0.5), 2).padStart(6)}  p95 ${fmt(percentile(sorted, 0.95), 2).padStart(6)}  `
    + `p99 ${fmt(percentile(sorted, 0.99), 2).padStart(6)}  max ${fmt(sorted.at(-1) ?? NaN, 0).padStart(5)} ms   `
    + `failed ${f.failures}   CPU ms/cmd: server ${fmt((1000 * f.serverCpu) / Math.max(1, f.done), 2)}, postgres ${fmt((1000 * f.databaseCpu) / Math.max(1, f.done), 2)}; `
    + `server ${fmt((100 * f.serverCpu) / f.seconds, 0)} %, load generator ${fmt((100 * f.clientCpu) / f.seconds, 0)} %, machine idle ${fmt(100 * f.machineIdle, 0)} %`,
  );
  const { request, command, logCommit } = f.measuredByServer;
  if (command.count === 0) return; // the raw INSERTs: nothing went through the service
  const part = (name: string, h: ReturnType<typeof bucketDelta>) => `${name} p99 ≤ ${Number.isFinite(h.p99Bound) ? `${fmt(h.p99Bound * 1000, 0)} ms` : 'more'} `
    + `(${fmt((100 * h.slower) / Math.max(1, h.count), 1)} % over ${P99_TARGET_MS} ms)`;
  console.log(`${''.padEnd(13)} measured by the server: ${[
    ...(request.count > 0 ? [part('request', request)] : []),
    part('command', command),
    part('its log row\'s commit', logCommit),
    `longest event-loop delay ${fmt(f.measuredByServer.loopDelayMaxMs, 0)} ms`,
  ].join(', ')}`);
  const disk = f.diskProbe;
  if (disk) {
    console.log(`${''.padEnd(13)} raw INSERTs alongside, one per ${PROBE_INTERVAL_MS} ms: ${disk.slower} of ${disk.count} over ${P99_TARGET_MS} ms, longest ${fmt(disk.max, 0)} ms`);
  }
}

/**
 * Each transport's best rate against the raw INSERT rate of the same PostgreSQL, the best rate
 * within the p99 target, and with --repeat the spread of p99 over the runs of each rate.
 */
export function printSummary(runs: readonly RunFigures[], inserts: number): void {
  for (const label of ['http', 'pg', 'ws']) {
    const mine = runs.filter((r) => r.label === label);
    if (mine.length === 0) continue;
    if (label !== 'pg') {
      const best = Math.max(...mine.map((r) => r.done / r.seconds));
      // The highest rate served with p99 within the target.
      const withinP99 = mine.filter((r) => percentile([...r.latencies].sort((a, b) => a - b), 0.99) <= P99_TARGET_MS);
      const bestWithin = withinP99.length > 0 ? Math.max(...withinP99.map((r) => r.done / r.seconds)) : 0;
      console.log(`${label.padEnd(4)} best ${fmt(best, 0)} commands/s ÷ ${fmt(inserts, 0)} inserts/s = ratio ${fmt(best / inserts, 2)}; `
        + `best with p99 ≤ ${P99_TARGET_MS} ms: ${withinP99.length > 0 ? `${fmt(bestWithin, 0)} commands/s` : 'none'}`);
    }
    if (REPEAT > 1) {
      for (const rate of RATES) {
        const p99s = mine.filter((r) => r.target === rate).map((r) => percentile([...r.latencies].sort((a, b) => a - b), 0.99));
        if (p99s.length === 0) continue;
        const median = [...p99s].sort((a, b) => a - b)[Math.floor(p99s.length / 2)]!;
        console.log(`${label.padEnd(4)} ${String(rate).padStart(5)}/s, ${p99s.length} runs: p99 ${p99s.map((p) => fmt(p, 1)).join(', ')} ms `
          + `(median ${fmt(median, 1)}); ${p99s.filter((p) => p <= P99_TARGET_MS).length} of ${p99s.length} within ${P99_TARGET_MS} ms`);
      }
    }
  }
}
