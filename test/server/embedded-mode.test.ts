import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEMO_SALES } from '../../src/demo/catalog.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { openDatabase } from '../../src/db/index.js';
import { resolveSecrets } from '../../src/secrets.js';

const run = promisify(execFile);
const BIN = new URL('../../bin/holomesh.js', import.meta.url).pathname;

/** Zero setup: no DATABASE_URL, no REDIS_URL — embedded PGlite and the in-process store. */
describe('embedded mode', () => {
  let dataDir: string;
  let server: RunningServer;
  let demoAccounts: string[] = [];
  const env = () => ({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', NODE_ENV: 'test' });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'holomesh-embedded-'));
    server = await startServer(loadConfig(env()), { logger: false, onDemoAccounts: (a) => { demoAccounts = a.map((x) => x.username); } });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts, seeds the demo catalog on first start, and is ready', async () => {
    expect(demoAccounts).toContain('alex');
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const ready = await fetch(`${server.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', mode: { database: 'pglite', cache: 'memory' } });
  });

  it('reports its database pool in /metrics (the app is built before the database has opened)', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toMatch(/^holomesh_db_pool_connections\{state="total"\} 1$/m);
    expect(text).toMatch(/^holomesh_db_pool_connections\{state="waiting"\} 0$/m);
  });

  it('lets another process use the same data directory while it runs (the CLI)', async () => {
    const { stdout } = await run(process.execPath, [BIN, 'token', '--user', 'alex'], { env: { ...process.env, ...env(), DATABASE_URL: '', REDIS_URL: '' } });
    const token = stdout.trim();
    expect(token.split('.')).toHaveLength(3);
    // the token is signed with the secret the server keeps under DATA_DIR, so the server accepts it
    const principal = server.app.tokens.verifyAccessToken(token);
    expect(principal.username).toBe('alex');
  }, 60_000);

  it('joins the running embedded database instead of opening it twice', async () => {
    const config = loadConfig(env());
    const other = await openDatabase(config, (await resolveSecrets(config)).fieldKeys);
    try {
      expect(other.mode).toBe('pglite-client');
      const [row] = await other.dataSource.query('SELECT count(*)::int AS n FROM chips');
      expect(row.n).toBe(9);
    } finally {
      await other.close();
    }
    expect((await fetch(`${server.url}/ready`)).status).toBe(200);
  });

  it('keeps its data across restarts and does not seed twice', async () => {
    await server.close();
    demoAccounts = [];
    server = await startServer(loadConfig(env()), { logger: false, onDemoAccounts: (a) => { demoAccounts = a.map((x) => x.username); } });
    expect(demoAccounts).toEqual([]);
    const [row] = await server.app.db.dataSource.query('SELECT count(*)::int AS n FROM users');
    expect(row.n).toBe(12); // the demo accounts, with the three collectors of the past sales
    const [sales] = await server.app.db.dataSource.query('SELECT count(*)::int AS n FROM transactions');
    expect(sales.n).toBe(DEMO_SALES.length);
  }, 120_000);
});
