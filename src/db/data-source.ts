import { AdvancedConsoleLogger, DataSource, type LoggerOptions } from 'typeorm';
import { toUnavailableError } from '../errors.js';
import { ENTITIES } from './entities/index.js';
import { MIGRATIONS } from '../../migrations/index.js';
import { SnakeNamingStrategy } from './naming-strategy.js';
import { installFieldCipher } from './encrypted-column.js';
import type { FieldCipher } from '../auth/field-encryption.js';

/** Where PostgreSQL is: a URL (real server) or a Unix socket directory (embedded PGlite). */
export type PgTarget =
  | { readonly kind: 'url'; readonly url: string }
  | { readonly kind: 'socket'; readonly dir: string; readonly port: number };

export interface DataSourceOptions {
  readonly target: PgTarget;
  /** Embedded PGlite serialises everything through one session: use 1 there. */
  readonly poolSize: number;
  readonly cipher: FieldCipher;
  readonly logSql?: boolean;
}

/**
 * TypeORM's console logger, minus the queries that failed because the server went away: in an
 * outage every request would print its SQL and parameters; the error handler reports each once.
 */
class OutageQuietLogger extends AdvancedConsoleLogger {
  override logQueryError(...args: Parameters<AdvancedConsoleLogger['logQueryError']>): void {
    if (toUnavailableError(args[0])) return;
    super.logQueryError(...args);
  }
}

/** A TypeORM data source for the marketplace schema (not yet initialised). */
export function createDataSource(options: DataSourceOptions): DataSource {
  installFieldCipher(options.cipher);
  const where = options.target.kind === 'url'
    ? { url: options.target.url }
    : { host: options.target.dir, port: options.target.port, username: 'postgres', database: 'postgres' };
  return new DataSource({
    type: 'postgres',
    uuidExtension: 'pgcrypto', // gen_random_uuid() is built into PostgreSQL 13+; no extension needed
    installExtensions: false,
    ...where,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    logger: new OutageQuietLogger((options.logSql ? ['query', 'error'] : ['error']) satisfies LoggerOptions),
    extra: {
      max: options.poolSize,
      // Also bounds the wait for a free pooled connection: under an outage requests fail with a
      // clear 503 instead of queueing for ever. Connections broken by a restart are dropped by
      // the pool on release and replaced on the next checkout, so it recovers by itself.
      connectionTimeoutMillis: 5_000,
      // Notices a peer that vanished without closing the socket (host down, network cut).
      keepAlive: true,
      // Names this service's sessions in pg_stat_activity.
      application_name: 'holomesh',
    },
  });
}
