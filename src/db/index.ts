import type { DataSource } from 'typeorm';
import type { Config } from '../config.js';
import { FieldCipher, type FieldKey } from '../auth/field-encryption.js';
import { createDataSource, type PgTarget } from './data-source.js';
import { runMigrationsLocked } from './migration-lock.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.js';
import { toUnavailableError } from '../errors.js';

/** Attempts at the first connection, a second apart, before the start is given up. */
const CONNECT_ATTEMPTS = 10;

export interface Database {
  readonly dataSource: DataSource;
  /** `postgres` (a real server) or `pglite` (embedded; `pglite-client` when joined to a running service). */
  readonly mode: 'postgres' | 'pglite' | 'pglite-client';
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** Run pending migrations (default true). */
  readonly migrate?: boolean;
  /** The embedded database when the caller started it already (see `startEmbeddedPostgres`). */
  readonly embedded?: Promise<EmbeddedPostgres>;
}

/** A database whose data source connects in the background (see `startDatabase`). */
export interface StartingDatabase {
  readonly database: Database;
  /** Resolves when the data source is connected and migrated; rejects (after closing) if that failed. */
  readonly opened: Promise<{ readonly created: boolean }>;
  /** Resolves if the embedded database thread died after it was ready; never for a real server. */
  readonly lost: Promise<Error>;
}

/**
 * Opens the configured database: real PostgreSQL when DATABASE_URL is set, else the embedded
 * PGlite under DATA_DIR. Runs pending migrations unless `migrate: false`.
 */
export async function openDatabase(config: Config, fieldKeys: readonly FieldKey[], options: OpenDatabaseOptions = {}): Promise<Database> {
  const { database, opened } = await startDatabase(config, fieldKeys, options);
  await opened;
  return database;
}

/**
 * Like `openDatabase`, but returns as soon as the data source exists: the caller can build what
 * only holds a reference to it (the app) while the database starts, and awaits `opened` before
 * the first query.
 */
export async function startDatabase(config: Config, fieldKeys: readonly FieldKey[], options: OpenDatabaseOptions = {}): Promise<StartingDatabase> {
  let target: PgTarget;
  let embedded: EmbeddedPostgres | undefined;
  if (config.databaseUrl) {
    target = { kind: 'url', url: config.databaseUrl };
  } else {
    embedded = await (options.embedded ?? startEmbeddedPostgres(config.dataDir));
    target = embedded.target;
  }
  const mode: Database['mode'] = !embedded ? 'postgres' : embedded.isOwner ? 'pglite' : 'pglite-client';
  const dataSource = createDataSource({
    target,
    poolSize: config.databaseUrl ? config.dbPoolSize : 1,
    cipher: new FieldCipher(fieldKeys),
  });
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= (async () => {
    await opening.catch(() => {});
    if (dataSource.isInitialized) await dataSource.destroy();
    await embedded?.close();
  })());
  const opening = (async () => {
    const { created } = embedded ? await embedded.ready : { created: false };
    await connectPatiently(dataSource);
    if (options.migrate !== false) {
      // A real server may be shared by instances starting together; the embedded pool has one connection.
      if (mode === 'postgres') await runMigrationsLocked(dataSource);
      else await dataSource.runMigrations({ transaction: 'each' });
    }
    return { created };
  })();
  const opened = opening.catch(async (err: unknown) => {
    await close();
    throw err;
  });
  return {
    database: { dataSource, mode, close },
    opened,
    lost: embedded?.lost ?? new Promise(() => {}),
  };
}

/**
 * The first connection, retried while the server is unreachable: PostgreSQL may still be starting
 * beside the service, and on a starved machine the connect timeout can expire while this process
 * is busy building the app. Other failures (bad credentials, no such database) fail at once.
 */
async function connectPatiently(dataSource: DataSource): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await dataSource.initialize();
      return;
    } catch (err) {
      if (attempt >= CONNECT_ATTEMPTS || !toUnavailableError(err)) throw err;
      // A failed initialize may leave its pool behind: end it before making another.
      await dataSource.driver.disconnect().catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}
