import { DataSource } from 'typeorm';
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
    logging: options.logSql ? ['query', 'error'] : ['error'],
    extra: { max: options.poolSize, connectionTimeoutMillis: 5_000 },
  });
}
