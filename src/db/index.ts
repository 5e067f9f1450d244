import type { DataSource } from 'typeorm';
import type { Config } from '../config.js';
import { FieldCipher, type FieldKey } from '../auth/field-encryption.js';
import { createDataSource, type PgTarget } from './data-source.js';
import { openEmbeddedPostgres } from './embedded-postgres.js';

export interface Database {
  readonly dataSource: DataSource;
  /** `postgres` (a real server) or `pglite` (embedded; `pglite-client` when joined to a running service). */
  readonly mode: 'postgres' | 'pglite' | 'pglite-client';
  close(): Promise<void>;
}

/**
 * Opens the configured database: real PostgreSQL when DATABASE_URL is set, else the embedded
 * PGlite under DATA_DIR. Runs pending migrations unless `migrate: false`.
 */
export async function openDatabase(config: Config, fieldKeys: readonly FieldKey[], options: { migrate?: boolean } = {}): Promise<Database> {
  let target: PgTarget;
  let closeEmbedded = async () => {};
  let mode: Database['mode'] = 'postgres';
  if (config.databaseUrl) {
    target = { kind: 'url', url: config.databaseUrl };
  } else {
    const embedded = await openEmbeddedPostgres(config.dataDir);
    target = embedded.target;
    closeEmbedded = () => embedded.close();
    mode = embedded.isOwner ? 'pglite' : 'pglite-client';
  }
  const dataSource = createDataSource({
    target,
    poolSize: config.databaseUrl ? config.dbPoolSize : 1,
    cipher: new FieldCipher(fieldKeys),
  });
  try {
    await dataSource.initialize();
    if (options.migrate !== false) await dataSource.runMigrations({ transaction: 'each' });
  } catch (err) {
    if (dataSource.isInitialized) await dataSource.destroy();
    await closeEmbedded();
    throw err;
  }
  return {
    dataSource,
    mode,
    close: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      await closeEmbedded();
    },
  };
}
