/**
 * Load and speed of text commands against a REAL PostgreSQL and Redis:
 *   npm run bench:load -- [--duration 4] [--rates 100,250,500,1000,max] [--connections 32]
 *                         [--ws-connections 200] [--idle 1000] [--streams 8] [--text "what is my balance"
 *                         --intent CheckBalance] [--pool N] [--log-level warn] [--no-ws] [--no-http] [--cpu-prof DIR]
 *                         [--repeat N] [--no-floor] [--sync-commit off]
 * Creates a fresh database on DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres, used as
 * the admin connection), spawns the real service (`holomesh serve`) as a child process against it and
 * REDIS_URL (default redis://127.0.0.1:6379/0), lets it seed the demo catalog, and prints:
 *  - the server's resident memory per idle authenticated voice session;
 *  - for each rate, one read-only command sent over
 *    HTTP: `POST /v1/commands`, evenly paced (open loop) over a keep-alive pool of --connections;
 *          `max` is autocannon flat out on as many connections;
 *    WS:   text command frames round-robin over --ws-connections `/v1/voice` sessions, paced the same way;
 *          `max` keeps one command in flight per session;
 *    throughput, p50/p95/p99/max latency (from the moment each command was due), and the CPU used per
 *    command by the server and by its PostgreSQL backends; below it, from the server's own /metrics,
 *    its view of the same requests and commands and how long they waited for their log row's commit;
 *  - after each HTTP run at a fixed rate, `pg`: single-row INSERTs like the command log's, paced at the
 *    same rate on as many connections, straight into PostgreSQL: the floor of that run's latency
 *    (each answer waits for its log row to be durable), as the disk was at that moment (--no-floor);
 *  - the single-row INSERT rate of the same PostgreSQL at the HTTP concurrency, and each transport's best
 *    commands/s divided by it;
 *  - the resident memory per active audio stream, and a check that every acknowledged command is logged.
 *
 * The runs are in load/runs.ts, what they are measured with in load/probes.ts, the printing in
 * load/report.ts, the options in load/options.ts.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createTokenService } from '../src/auth/tokens.js';
import { spawnServer } from '../test/helpers/server-process.js';
import {
  ADMIN_URL, CPU_PROFILE_DIR, DURATION_S, HTTP_CONNECTIONS, LOG_LEVEL, POOL, RATES, REDIS_URL, REPEAT, RUN_FLOOR, RUN_HTTP, RUN_WS,
  SYNC_COMMIT, TEXT, EXPECTED_INTENT, WS_CONNECTIONS,
} from './load/options.js';
import { insertRate, openRawInserts, untilQuiet, type Service } from './load/probes.js';
import { fmt, loadLine, printSummary } from './load/report.js';
import { audioStreamMemory, httpRun, idleSessionMemory, rawInsertRun, wsRun, type RunFigures } from './load/runs.js';

// ── the service under test ───────────────────────────────────────────────────────────────────────
async function startService(databaseUrl: string, database: string, jwtSecret: string): Promise<Service> {
  const server = await spawnServer({
    name: 'the service',
    nodeArgs: CPU_PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', CPU_PROFILE_DIR] : [],
    logLevel: LOG_LEVEL,
    env: {
      NODE_ENV: 'development',
      DATABASE_URL: databaseUrl,
      REDIS_URL,
      JWT_SECRET: jwtSecret,
      FIELD_ENCRYPTION_KEYS: `bench:${randomBytes(32).toString('base64')}`,
      SEED_DEMO: 'auto',
      SPEECH_WORKERS: '1',
      // The bench is one user on one address: lift the per-user and per-address abuse limits.
      COMMAND_RATE_LIMIT_MAX: '100000000',
      WS_CONNECTIONS_PER_MINUTE: '1000000',
      MAX_VOICE_SESSIONS_PER_USER: '100000',
      ...(POOL ? { DB_POOL_SIZE: POOL } : {}),
      // libpq's variable, which node-postgres reads too: a setting for every session of the server.
      ...(SYNC_COMMIT === 'off' ? { PGOPTIONS: '-c synchronous_commit=off' } : {}),
    },
  });
  // The speech engine loads in the background after /ready.
  await untilQuiet(server.pid);
  return { url: server.url, pid: server.pid, database, stop: () => server.stop(15_000) };
}

// ── the run ──────────────────────────────────────────────────────────────────────────────────────
async function main(): Promise<void> {
  console.log(loadLine());
  const name = `holomesh_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const dbUrl = new URL(ADMIN_URL);
  dbUrl.pathname = `/${name}`;
  const databaseUrl = dbUrl.toString();
  const jwtSecret = randomBytes(32).toString('hex');
  let service: Service | null = null;
  try {
    service = await startService(databaseUrl, name, jwtSecret);
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const user = (await client.query(`SELECT id, username, role FROM users WHERE username = 'alex'`)).rows[0] as { id: string; username: string; role: 'client' };
    await client.end();
    const token = createTokenService(jwtSecret, 3_600).issueAccessToken({ userId: user.id, username: user.username, role: user.role });

    const probe = await fetch(`${service.url}/v1/commands`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: TEXT }),
    });
    const answer = await probe.json() as { intent?: string; outcome?: string; reply?: { text?: string } };
    if (answer.intent !== EXPECTED_INTENT || answer.outcome !== 'ok') {
      throw new Error(`"${TEXT}" was not understood as ${EXPECTED_INTENT}: HTTP ${probe.status} ${JSON.stringify(answer)}`);
    }
    console.log(`command "${TEXT}" → ${answer.intent}: "${answer.reply?.text}"`);
    if (SYNC_COMMIT === 'off') console.log('synchronous_commit = off for the server: commits do not wait for the disk, so NOT DURABLE (diagnosis only)');
    console.log(`server: real PostgreSQL + Redis, DB_POOL_SIZE ${POOL ?? 'default'}, LOG_LEVEL ${LOG_LEVEL}; `
      + `${DURATION_S} s per run, HTTP ${HTTP_CONNECTIONS} connections, WS ${WS_CONNECTIONS} sessions`);
    // Measured first, on a server that has not yet grown its heap under load.
    await idleSessionMemory(service, token);
    // Closing those sessions keeps the server busy for a while; then a warm-up (JIT, pools), not
    // reported; its commands are logged and counted like the others.
    await untilQuiet(service.pid);
    const raw = await openRawInserts(databaseUrl, HTTP_CONNECTIONS);
    // Long enough for V8 to have optimised the command path: in shorter warm-ups the first
    // measured run still cost the server a third more CPU per command than the later ones.
    let acknowledged = 1 + (await httpRun(service, token, raw, 400, 8, true)).done;
    const runs: RunFigures[] = [];
    for (const rate of RATES) {
      for (let i = 0; i < REPEAT; i += 1) {
        if (RUN_HTTP) runs.push(await httpRun(service, token, raw, rate, DURATION_S));
        if (rate !== 'max' && RUN_FLOOR) runs.push(await rawInsertRun(service, raw, rate, DURATION_S));
        if (RUN_WS) runs.push(await wsRun(service, token, raw, rate, DURATION_S));
      }
    }
    acknowledged += runs.filter((r) => r.label !== 'pg').reduce((n, r) => n + r.done, 0);
    const { rate: inserts, cpuMs } = await insertRate(raw, name, HTTP_CONNECTIONS, DURATION_S);
    await raw.end();
    console.log(`raw single-row INSERT: ${fmt(inserts, 0)} inserts/s (${HTTP_CONNECTIONS} connections, postgres ${fmt(cpuMs, 2)} CPU ms/insert)`);
    printSummary(runs, inserts);

    // Last: the decoders' work would otherwise be counted in the first load run.
    await audioStreamMemory(service, token);

    const check = new pg.Client({ connectionString: databaseUrl });
    await check.connect();
    const rows = Number((await check.query(`SELECT count(*) AS n FROM voice_commands`)).rows[0].n);
    await check.end();
    // A command can be logged and still not count as acknowledged here (its reply came too late), never the reverse.
    console.log(`log rows ${rows}, acknowledged commands ${acknowledged}: ${rows >= acknowledged ? 'every acknowledged command is logged' : 'ROWS MISSING'}`);
    console.log(loadLine());
  } finally {
    await service?.stop();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch((err: unknown) => console.error('could not drop the bench database:', err));
    await admin.end();
  }
}

await main();
