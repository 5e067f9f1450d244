import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, type Config } from '../config.js';
import { openDatabase, type Database } from '../db/index.js';
import { resolveSecrets, type Secrets } from '../secrets.js';

/** What most commands need: the same config and secrets as the service, and its database. */
export interface CliContext {
  readonly config: Config;
  readonly secrets: Secrets;
  readonly db: Database;
}

/**
 * Runs `fn` with the configured database open (joining a running service's embedded database
 * through its socket when there is one) and always closes it. `existing`: refuse to create a new
 * embedded database.
 */
export async function withDatabase<T>(fn: (ctx: CliContext) => Promise<T>, options: { migrate?: boolean; existing?: boolean } = {}): Promise<T> {
  const config = loadConfig();
  // Commands that read accounts would otherwise create an empty database and find nobody.
  if (options.existing && !config.databaseUrl && !existsSync(join(config.dataDir, 'pg'))) {
    throw new Error(`no database in ${config.dataDir}: start the service once (npm start), or set DATA_DIR (or DATABASE_URL) to the service's`);
  }
  const secrets = await resolveSecrets(config);
  const db = await openDatabase(config, secrets.fieldKeys, options);
  try {
    return await fn({ config, secrets, db });
  } finally {
    await db.close();
  }
}
