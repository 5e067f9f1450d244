import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

const TABLES = [
  'chip_collaborators', 'chips', 'client_profiles', 'designer_profiles', 'editions', 'ledger_entries',
  'group_members', 'group_posts', 'groups', 'notifications', 'reviews', 'royalty_payouts', 'subscriptions', 'transactions', 'users', 'voice_commands',
];

async function tableNames(t: TestDatabase): Promise<string[]> {
  const rows: { table_name: string }[] = await t.db.dataSource.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations' ORDER BY 1`,
  );
  return rows.map((r) => r.table_name);
}

describe('migrations', () => {
  let t: TestDatabase;
  beforeAll(async () => { t = await createTestDatabase(); });
  afterAll(async () => { await t?.close(); });

  it('apply cleanly to an empty database and create every table', async () => {
    expect(await tableNames(t)).toEqual(expect.arrayContaining(TABLES));
    expect(await t.db.dataSource.showMigrations()).toBe(false); // nothing pending
  });

  it('match the entities exactly (no schema drift a new migration would have to fix)', async () => {
    const pending = await t.db.dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('are reversible: undoing all of them leaves no table, and they apply again', async () => {
    const ds = t.db.dataSource;
    for (let i = 0; i < ds.migrations.length; i++) await ds.undoLastMigration({ transaction: 'each' });
    expect(await tableNames(t)).toEqual([]);
    const functions: unknown[] = await ds.query(`SELECT proname FROM pg_proc WHERE proname LIKE 'check_%' AND pronamespace = 'public'::regnamespace`);
    expect(functions).toEqual([]);
    await ds.runMigrations({ transaction: 'each' });
    expect(await tableNames(t)).toEqual(expect.arrayContaining(TABLES));
  });
});
