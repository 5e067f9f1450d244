import type { Command } from 'commander';
import { runMigrationsLocked } from '../db/migration-lock.js';
import { seedDemoCatalog } from '../demo/seed.js';
import { withDatabase } from './context.js';
import { saveDemoAccounts } from '../demo/accounts.js';

export function registerDatabaseCommands(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations (the service also does this at start)')
    .option('--revert', 'undo the most recent migration instead')
    .option('--status', 'list migrations and whether each is applied')
    .action(async (opts: { revert?: boolean; status?: boolean }) => {
      await withDatabase(async ({ db }) => {
        const ds = db.dataSource;
        if (opts.status) {
          const applied = new Set((await ds.query('SELECT name FROM migrations').catch(() => [])).map((r: { name: string }) => r.name));
          for (const m of ds.migrations) console.log(`${applied.has(m.name) ? '[x]' : '[ ]'} ${m.name}`);
        } else if (opts.revert) {
          await ds.undoLastMigration({ transaction: 'each' });
          console.log('reverted the most recent migration');
        } else {
          // Locked as at start, so a deploy's migrate step and instances starting at once do not collide.
          const ran = db.mode === 'postgres' ? await runMigrationsLocked(ds) : await ds.runMigrations({ transaction: 'each' });
          console.log(ran.length ? `applied: ${ran.map((m) => m.name).join(', ')}` : 'schema is up to date');
        }
      }, { migrate: false });
    });

  program
    .command('seed')
    .description('add the demo catalog (designers, chips, clients alex and sam, an admin, groups, reviews and 30 days of past sales); safe to run twice')
    .action(async () => {
      await withDatabase(async ({ config, db }) => {
        if (config.isProduction) throw new Error('no demo accounts in production (NODE_ENV=production)');
        const result = await seedDemoCatalog(db.dataSource, { platformFeeBps: config.platformFeeBps });
        console.log(`created ${result.createdAccounts.length} accounts and ${result.createdChips} chips`);
        if (result.createdAccounts.length === 0) return;
        // Passwords are shown for the local embedded database only, and kept for every database.
        if (!config.databaseUrl) for (const a of result.createdAccounts) console.log(`  ${a.username} (${a.role}) password: ${a.password}`);
        console.log(`their passwords are kept in ${await saveDemoAccounts(config.dataDir, result.createdAccounts)} (readable only by you)`);
      });
    });
}
