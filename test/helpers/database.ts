import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig, type Config } from '../../src/config.js';
import { openDatabase, type Database } from '../../src/db/index.js';

export const TEST_FIELD_KEYS = [{ id: 'test', key: Buffer.alloc(32, 7) }];
export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-signing';

export interface TestDatabase {
  readonly config: Config;
  readonly db: Database;
  /** Closes the connection and drops the database (or the temp data dir). */
  close(): Promise<void>;
}

/**
 * A fresh, migrated database for one test file: a new database on the real PostgreSQL of
 * DATABASE_URL (so files never see each other's rows), or an embedded PGlite in a temp dir.
 */
export async function createTestDatabase(env: Record<string, string> = {}): Promise<TestDatabase> {
  const base = process.env.DATABASE_URL;
  const dataDir = await mkdtemp(join(tmpdir(), 'holomesh-test-'));
  let url: string | undefined;
  let dropDatabase = async () => {};
  if (base) {
    const name = `holomesh_t_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const u = new URL(base);
    u.pathname = `/${name}`;
    url = u.toString();
    dropDatabase = async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  }
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    JWT_SECRET: TEST_JWT_SECRET,
    SPEECH_WORKERS: '1',
    // Test files share one Redis and open many sockets from 127.0.0.1 within a minute.
    WS_CONNECTIONS_PER_MINUTE: '100000',
    ...(url ? { DATABASE_URL: url } : {}),
    // REDIS_URL: '' in `env` keeps this app's counters and sessions in-process.
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    ...env,
    ...(env.REDIS_URL === '' ? { REDIS_URL: undefined } : {}),
  });
  const db = await openDatabase(config, TEST_FIELD_KEYS);
  return {
    config,
    db,
    close: async () => {
      await db.close();
      await dropDatabase();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
