import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * The node-postgres pool behind a TypeORM data source (PostgreSQL, or the embedded database's
 * socket): TypeORM keeps it in `driver.master`, which it does not type as public, so it is reached
 * here only. Undefined until the data source has connected.
 */
export function pgPoolOf(dataSource: DataSource): Pool | undefined {
  return (dataSource.driver as unknown as { master?: Pool }).master;
}
