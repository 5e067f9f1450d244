/** What a load run is measured with: /proc of the server, its PostgreSQL backends and the machine, the server's own /metrics, and raw INSERTs into the same PostgreSQL. */
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { P99_TARGET_MS, TEXT } from './options.js';

/** The service under test, as the probes see it. */
export interface Service {
  readonly url: string;
  readonly pid: number;
  /** Name of its database (PostgreSQL backends carry it in their process title). */
  readonly database: string;
  stop(): Promise<void>;
}

/** A histogram's cumulative bucket counts (by upper bound, seconds) summed over its label sets. */
export type Buckets = Map<number, number>;

/** The service's own histograms, from `GET /metrics`. */
export async function serverHistograms(service: Service): Promise<{ request: Buckets; command: Buckets; logCommit: Buckets; loopDelayMaxMs: number }> {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  const read = (name: string, label = ''): Buckets => {
    const buckets: Buckets = new Map();
    for (const line of text.split('\n')) {
      if (!line.startsWith(`${name}_bucket{`) || !line.includes(label)) continue;
      const le = /le="([^"]+)"/.exec(line)![1]!;
      const bound = le === '+Inf' ? Infinity : Number(le);
      buckets.set(bound, (buckets.get(bound) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
    }
    return buckets;
  };
  return {
    request: read('holomesh_http_request_duration_seconds', 'route="/v1/commands"'),
    command: read('holomesh_command_duration_seconds'),
    logCommit: read('holomesh_command_log_commit_seconds'),
    // Since the previous scrape (each scrape restarts it), less the 10 ms the monitor samples at.
    loopDelayMaxMs: Math.max(0, 1000 * Number(/^nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(text)?.[1] ?? NaN) - 10),
  };
}

/** What a histogram counted between two scrapes: how many, the bound under which 99 % fell, and how many took longer than `over` seconds. */
export function bucketDelta(before: Buckets, after: Buckets, over: number): { count: number; p99Bound: number; slower: number } {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const delta = (bound: number) => (after.get(bound) ?? 0) - (before.get(bound) ?? 0);
  const count = delta(Infinity);
  if (count > 0 && !after.has(over)) throw new Error(`${over} s is not a bucket bound of this histogram`);
  const p99Bound = bounds.find((b) => delta(b) >= 0.99 * count) ?? Infinity;
  return { count, p99Bound, slower: count - delta(over) };
}

export async function procStatus(pid: number): Promise<{ rssKiB: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return { rssKiB: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) };
}

/** Idle and total jiffies of the whole machine so far (/proc/stat), to tell a busy machine from a slow server. */
export async function machineTicks(): Promise<{ idle: number; total: number }> {
  const cpu = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return { idle: cpu[3]! + cpu[4]!, total: cpu.reduce((a, b) => a + b, 0) };
}

/** CPU seconds used so far by the PostgreSQL backends serving `database` (their title names it). */
export async function databaseCpuSeconds(database: string): Promise<Map<number, number>> {
  const used = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const title = await readFile(`/proc/${pid}/cmdline`, 'utf8');
      if (title.startsWith('postgres:') && title.includes(` ${database} `)) used.set(pid, await cpuSeconds(pid));
    } catch { /* gone meanwhile */ }
  }
  return used;
}

/** One INSERT every this many ms alongside a run (see `measured`). */
export const PROBE_INTERVAL_MS = 100;

/**
 * Samples what the server, its PostgreSQL backends, this load generator and the machine used while
 * `run` ran. With `probe`, one raw INSERT every 100 ms goes alongside, straight into PostgreSQL:
 * the disk's commit latency at the same moments as the run's commands (a few % more commits). It
 * samples: a stall of 100 ms or more always shows, a shorter one only when a probe was in flight.
 */
export async function measured<T extends object>(service: Service, run: () => Promise<T>, probe: RawInserts | null = null): Promise<T & Usage> {
  const histograms = await serverHistograms(service);
  const [server, database, machine, client] = [await cpuSeconds(service.pid), await databaseCpuSeconds(service.database), await machineTicks(), process.cpuUsage()];
  const probes: Promise<number>[] = [];
  const ticker = probe ? setInterval(() => {
    const sent = performance.now();
    probes.push(probe.insert().then(() => performance.now() - sent, () => Infinity));
  }, PROBE_INTERVAL_MS) : null;
  const began = performance.now();
  const result = await run();
  // The run's own time: the samples above and below are not load (they read /proc of every backend).
  const seconds = (performance.now() - began) / 1000;
  if (ticker) clearInterval(ticker);
  const probed = await Promise.all(probes);
  const used = process.cpuUsage(client);
  const [serverAfter, databaseAfter, machineAfter] = [await cpuSeconds(service.pid), await databaseCpuSeconds(service.database), await machineTicks()];
  const histogramsAfter = await serverHistograms(service);
  let databaseCpu = 0;
  for (const [pid, after] of databaseAfter) databaseCpu += after - (database.get(pid) ?? 0);
  return {
    ...result,
    seconds,
    serverCpu: serverAfter - server,
    databaseCpu,
    clientCpu: (used.user + used.system) / 1e6,
    machineIdle: (machineAfter.idle - machine.idle) / Math.max(1, machineAfter.total - machine.total),
    measuredByServer: {
      request: bucketDelta(histograms.request, histogramsAfter.request, P99_TARGET_MS / 1000),
      command: bucketDelta(histograms.command, histogramsAfter.command, P99_TARGET_MS / 1000),
      logCommit: bucketDelta(histograms.logCommit, histogramsAfter.logCommit, P99_TARGET_MS / 1000),
      loopDelayMaxMs: histogramsAfter.loopDelayMaxMs,
    },
    diskProbe: probe ? { count: probed.length, slower: probed.filter((ms) => ms > P99_TARGET_MS).length, max: Math.max(0, ...probed) } : null,
  };
}

/** CPU seconds (user + system) the process has used so far. */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 Hz on Linux)
}

/** Wall-clock seconds and CPU seconds, and the machine's idle share, over one run. */
export interface Usage {
  readonly seconds: number;
  readonly serverCpu: number;
  readonly databaseCpu: number;
  readonly clientCpu: number;
  readonly machineIdle: number;
  /**
   * The service's own histograms over the run: whole commands, and the wait of read-only
   * commands for their log row's commit (the durable write every answer waits for).
   */
  readonly measuredByServer: {
    /** `POST /v1/commands` requests, from fastify receiving each until its reply was sent. */
    readonly request: ReturnType<typeof bucketDelta>;
    readonly command: ReturnType<typeof bucketDelta>;
    readonly logCommit: ReturnType<typeof bucketDelta>;
    /** The server's longest event-loop delay during the run. */
    readonly loopDelayMaxMs: number;
  };
  /** The raw INSERTs sent alongside (ms): how many, how many took over the p99 target, the longest. */
  readonly diskProbe: { readonly count: number; readonly slower: number; readonly max: number } | null;
}

/** Waits (up to 30 s) until `pid` uses under 10 % of a core, so what it was busy with is not measured. */
export async function untilQuiet(pid: number): Promise<void> {
  for (let i = 0; i < 60; i += 1) {
    const before = await cpuSeconds(pid);
    await sleep(500);
    if ((await cpuSeconds(pid)) - before < 0.05) break;
  }
}

// ── raw INSERTs into the same PostgreSQL: the floor of "log every command" ──────────────────────
/** Single-row INSERTs like the command log's, each its own transaction, on a pool of `concurrency`. */
export interface RawInserts {
  insert(): Promise<void>;
  end(): Promise<void>;
}

export async function openRawInserts(databaseUrl: string, concurrency: number): Promise<RawInserts> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: concurrency });
  // Same columns, defaults, checks and indexes as the command log; no foreign key, no rows.
  await pool.query('CREATE TABLE bench_inserts (LIKE voice_commands INCLUDING ALL)');
  const userId = ((await pool.query(`SELECT id FROM users WHERE username = 'alex'`)).rows[0] as { id: string }).id;
  const reply = JSON.stringify({ text: 'You have 500 credits.', ssml: '<speak>You have 500 credits.</speak>', data: { balance: 500 } });
  return {
    async insert() {
      await pool.query(
        `INSERT INTO bench_inserts (command_id, user_id, session_id, source, transcript, engine, intent, slots, nlu_confidence,
                                    outcome, reply_text, reply, latency_ms)
         VALUES ($1, $2, $3, 'text', $4, 'text', 'CheckBalance', '{}', 1, 'ok', 'You have 500 credits.', $5, 3)`,
        [randomBytes(16).toString('hex'), userId, randomBytes(16).toString('hex'), TEXT, reply],
      );
    },
    end: () => pool.end(),
  };
}

/** Flat out: `concurrency` INSERTs in flight for `seconds`. */
export async function insertRate(raw: RawInserts, database: string, concurrency: number, seconds: number): Promise<{ rate: number; cpuMs: number }> {
  let count = 0;
  const until = performance.now() + seconds * 1000;
  const started = performance.now();
  const cpuBefore = await databaseCpuSeconds(database);
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < until) {
      await raw.insert();
      count += 1;
    }
  }));
  const rate = count / ((performance.now() - started) / 1000);
  let cpu = 0;
  for (const [pid, after] of await databaseCpuSeconds(database)) cpu += after - (cpuBefore.get(pid) ?? 0);
  return { rate, cpuMs: (1000 * cpu) / Math.max(1, count) };
}

/** RSS once it holds still: five samples 300 ms apart within 1 MiB (or their median after 15 s). */
export async function settledRss(pid: number): Promise<number> {
  const samples: number[] = [];
  for (const until = performance.now() + 15_000; performance.now() < until;) {
    samples.push((await procStatus(pid)).rssKiB);
    const last = samples.slice(-5);
    if (last.length === 5 && Math.max(...last) - Math.min(...last) < 1_024) break;
    await sleep(300);
  }
  return [...samples.slice(-5)].sort((a, b) => a - b)[Math.floor(Math.min(5, samples.length) / 2)]!;
}
