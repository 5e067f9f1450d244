import type { DataSource, Migration } from 'typeorm';

/** Key of the session advisory lock held while migrating (any constant shared by every instance). */
const MIGRATION_LOCK_KEY = 0x484d_4d47; // "HMMG"

/**
 * Runs the pending migrations, resolving with those it ran, while holding a PostgreSQL advisory
 * lock. Instances starting together on a new database would otherwise run the same migrations at
 * once and fail on duplicate tables: one migrates while the others wait, then find nothing
 * pending. The lock goes with its connection, so an instance that dies while migrating never
 * leaves it held.
 */
export async function runMigrationsLocked(dataSource: DataSource): Promise<Migration[]> {
  const runner = dataSource.createQueryRunner();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      return await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}
