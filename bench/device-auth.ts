/**
 * What checking a device credential costs each request, against a REAL PostgreSQL:
 *   npx tsx bench/device-auth.ts [--requests 2000]
 * Creates a fresh database on DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres, used
 * as the admin connection), migrates it, makes one user and one device credential, and prints the
 * p50/p95/p99 time of a device check (one indexed read joined to the user; the once-a-minute
 * last-use write included) beside an access token's (a JWT checked in-process), sequentially.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/index.js';
import { DeviceCredentialStore } from '../src/auth/device-credentials.js';
import { createTokenService } from '../src/auth/tokens.js';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '2000' } } });
const REQUESTS = Number(values.requests);
if (!Number.isInteger(REQUESTS) || REQUESTS < 10) throw new Error('--requests must be a whole number ≥ 10');
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function percentiles(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const p = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return `p50 ${p(0.5).toFixed(3)} ms   p95 ${p(0.95).toFixed(3)} ms   p99 ${p(0.99).toFixed(3)} ms`;
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try { await client.query(sql); } finally { await client.end(); }
}

const name = `holomesh_bench_${randomBytes(5).toString('hex')}`;
await admin(`CREATE DATABASE ${name}`);
const dataDir = await mkdtemp(join(tmpdir(), 'holomesh-bench-'));
const url = new URL(ADMIN_URL);
url.pathname = `/${name}`;
const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent', DATABASE_URL: url.toString(), JWT_SECRET: randomBytes(32).toString('hex') });
const db = await openDatabase(config, [{ id: 'bench', key: randomBytes(32) }]);
try {
  const [user] = await db.dataSource.query(`INSERT INTO users (username, email, password_hash, role) VALUES ('bench', 'bench@example.test', 'x', 'client') RETURNING id`) as [{ id: string }];
  const devices = new DeviceCredentialStore(db.dataSource);
  const { token } = await devices.create(user.id, 'bench speaker');
  const tokens = createTokenService(randomBytes(32).toString('hex'), 900);
  const jwt = tokens.issueAccessToken({ userId: user.id, username: 'bench', role: 'client' });

  const device: number[] = [];
  const access: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    let t0 = performance.now();
    if (!(await devices.verify(token))) throw new Error('the device credential was refused');
    device.push(performance.now() - t0);
    t0 = performance.now();
    tokens.verifyAccessToken(jwt);
    access.push(performance.now() - t0);
  }
  console.log(`${REQUESTS} checks each, one at a time`);
  console.log(`device credential (PostgreSQL)  ${percentiles(device)}`);
  console.log(`access token (JWT, in-process)  ${percentiles(access)}`);
} finally {
  await db.close();
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await rm(dataDir, { recursive: true, force: true });
}
