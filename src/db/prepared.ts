import type { DataSource, EntityManager } from 'typeorm';
import type { PoolClient, QueryResultRow } from 'pg';
import { Errors } from '../errors.js';
import { pgPoolOf } from './pg-pool.js';

/** A statement asked often enough to be parsed and planned once per connection, not per query. */
export interface PreparedStatement {
  /** Unique per statement text: PostgreSQL keeps it under this name for the connection's life. */
  readonly name: string;
  readonly text: string;
}

/**
 * Named statements need a connection of their own: on a real PostgreSQL server (a URL) each
 * pooled connection is one session. The embedded PGlite serves every socket connection from one
 * session, where a statement prepared by an earlier connection would clash with a later one.
 */
function preparable(dataSource: DataSource): boolean {
  return typeof (dataSource.options as { url?: unknown }).url === 'string';
}

/**
 * Runs `statement` with `values` in `manager`'s transaction, if it has one, else on a pooled
 * connection, as a named (prepared) statement where the server allows it. Saves PostgreSQL the
 * parse and plan and the client TypeORM's query path on queries that every command makes.
 */
export async function preparedQuery<R extends QueryResultRow>(manager: EntityManager, statement: PreparedStatement, values: readonly unknown[]): Promise<R[]> {
  const dataSource = manager.connection;
  if (!preparable(dataSource)) return await manager.query(statement.text, [...values]) as R[];
  const config = { name: statement.name, text: statement.text, values: [...values] };
  const runner = manager.queryRunner;
  if (runner && !runner.isReleased) {
    const client = await runner.connect() as PoolClient;
    return (await client.query<R>(config)).rows;
  }
  const pool = pgPoolOf(dataSource);
  if (!pool) throw Errors.DatabaseUnavailable();
  return (await pool.query<R>(config)).rows;
}
