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
 * through its socket when there is one) and always closes it.
 */
export async function withDatabase<T>(fn: (ctx: CliContext) => Promise<T>, options: { migrate?: boolean } = {}): Promise<T> {
  const config = loadConfig();
  const secrets = await resolveSecrets(config);
  const db = await openDatabase(config, secrets.fieldKeys, options);
  try {
    return await fn({ config, secrets, db });
  } finally {
    await db.close();
  }
}
