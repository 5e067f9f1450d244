import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openDatabase, type Database } from '../../src/db/index.js';
import { seedDemoCatalog } from '../../src/demo/seed.js';
import { TEST_FIELD_KEYS, TEST_JWT_SECRET } from '../helpers/database.js';
import { createEmptyDatabase } from './cluster.js';
import { waitFor } from '../helpers/wait-for.js';
import { POSTGRES_MISSING, skipWithout } from '../helpers/skip.js';

/**
 * Replicas of a deployment start at the same moment on a database nobody has migrated yet: each
 * runs the pending migrations at start, and outside production each seeds an empty database.
 */
describe.skipIf(skipWithout(POSTGRES_MISSING))('instances starting together on a new database', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
  });

  const open = async (url: string): Promise<Database> => {
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: url, JWT_SECRET: TEST_JWT_SECRET, DB_POOL_SIZE: '3' });
    const db = await openDatabase(config, TEST_FIELD_KEYS);
    cleanups.push(() => db.close());
    return db;
  };

  it('migrate it once: every instance opens it, none fails on tables another just created', async () => {
    const database = await createEmptyDatabase(process.env.DATABASE_URL!);
    cleanups.push(() => database.drop());
    const opened = await Promise.allSettled([open(database.url), open(database.url), open(database.url)]);
    expect(opened.map((o) => (o.status === 'rejected' ? String(o.reason) : 'ok'))).toEqual(['ok', 'ok', 'ok']);
    const [db] = opened.map((o) => (o as PromiseFulfilledResult<Database>).value);
    const rows = await db!.dataSource.query(`SELECT name, count(*)::int AS n FROM migrations GROUP BY name`) as { n: number }[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.n !== 1)).toEqual([]);
  });

  it('seed it once: concurrent demo seeds create each account and chip exactly once', async () => {
    const database = await createEmptyDatabase(process.env.DATABASE_URL!);
    cleanups.push(() => database.drop());
    const first = await open(database.url);
    const second = await open(database.url);
    // Make the two seeds overlap for sure: hold inserts into users back until both are waiting
    // (on that table, or on each other), then let them go.
    const gate = await first.dataSource.createQueryRunner();
    cleanups.push(() => gate.release());
    await gate.startTransaction();
    await gate.query('LOCK TABLE users IN EXCLUSIVE MODE');
    const seeding = Promise.allSettled([seedDemoCatalog(first.dataSource), seedDemoCatalog(second.dataSource)]);
    await waitFor('both seeds to wait', async () => {
      const [{ n }] = await first.dataSource.query(
        `SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      ) as [{ n: number }];
      return n >= 2 ? true : undefined;
    }, 30_000, 50);
    await gate.commitTransaction();
    const seeded = await seeding;
    expect(seeded.map((s) => (s.status === 'rejected' ? String(s.reason) : 'ok'))).toEqual(['ok', 'ok']);
    const created = seeded.map((s) => (s as PromiseFulfilledResult<Awaited<ReturnType<typeof seedDemoCatalog>>>).value);
    // One run created everything, the other found it all there.
    expect(created.map((c) => c.createdChips).sort((x, y) => x - y)).toEqual([0, 9]);
    expect(created.map((c) => c.createdAccounts.length).sort((x, y) => x - y)[0]).toBe(0);
    const [{ n }] = await first.dataSource.query(`SELECT count(*)::int AS n FROM users WHERE username = 'alex'`) as [{ n: number }];
    expect(n).toBe(1);
    const [{ credits }] = await first.dataSource.query(
      `SELECT COALESCE(SUM(e.amount), 0)::int AS credits FROM ledger_entries e JOIN users u ON u.id = e.user_id WHERE u.username = 'alex'`) as [{ credits: number }];
    expect(credits).toBe(500);
  });
});
