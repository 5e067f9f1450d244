import { pathToFileURL } from 'node:url';
import { preloadEmbeddedPostgres, startEmbeddedPostgres } from './db/embedded-postgres.js';
import { ConfigError } from './errors.js';
import { demoAccountsFile, readDemoAccounts, saveDemoAccounts, type DemoAccount } from './demo/accounts.js';
import { startBanner } from './start-banner.js';

/**
 * `npm start`: the service with embedded defaults when nothing is configured.
 * SIGINT/SIGTERM shut it down gracefully; a second signal exits at once.
 *
 * The rest of the service is imported only after the embedded database's thread is running: its
 * start (initdb on a new data directory) is the longest part of a first start, and runs on
 * another core meanwhile.
 */
export async function main(): Promise<void> {
  // The thread loads PGlite while the configuration loads; DATABASE_URL set = a real server, so
  // no thread (the validated configuration below has the last word).
  const preload = process.env.DATABASE_URL ? undefined : preloadEmbeddedPostgres();
  const { loadConfig } = await import('./config.js');
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`holomesh: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  const embedded = !config.databaseUrl;
  if (!embedded) preload?.discard();
  const database = embedded ? startEmbeddedPostgres(config.dataDir, preload) : undefined;
  database?.catch(() => {}); // startServer reports it
  const { startServer } = await import('./server.js');
  const { logDestination, wantsPrettyLogs } = await import('./logging.js');
  const terminal = Boolean(process.stdout.isTTY);
  let created: DemoAccount[] = [];
  let passwordsFile: string | null = null;
  const server = await startServer(config, {
    embedded: database,
    logStream: await logDestination(wantsPrettyLogs(config.logFormat, terminal)),
    onDemoAccounts: async (accounts) => {
      created = [...accounts];
      passwordsFile = await saveDemoAccounts(config.dataDir, accounts).catch((err: unknown) => {
        console.error(`holomesh: could not keep the demo passwords in ${config.dataDir}: ${err instanceof Error ? err.message : String(err)}`);
        return null;
      });
    },
    onFatal: () => process.exit(1),
  });
  const kept = await readDemoAccounts(config.dataDir).catch(() => []);
  passwordsFile ??= kept.length > 0 ? demoAccountsFile(config.dataDir) : null;
  if (terminal) process.stdout.write(startBanner({ url: server.url, created, kept, passwordsFile, cwd: process.cwd() }));
  else if (passwordsFile) {
    // Not on a terminal: no passwords in the log, only where they are.
    server.app.log.info({ demoAccounts: (created.length > 0 ? created : kept).map((a) => a.username), passwordsFile }, `demo accounts' passwords are kept in ${passwordsFile}`);
  }
  let signals = 0;
  const shutdown = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) process.exit(1);
    server.app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), config.shutdownGraceMs).unref();
    server.close().then(() => { clearTimeout(force); process.exit(0); }, (err: unknown) => {
      server.app.log.error({ err }, 'shutdown failed');
      process.exit(1);
    });
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href || process.argv[1]?.endsWith('src/main.ts')) {
  main().catch((err: unknown) => {
    console.error('holomesh: failed to start:', err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
