import { pathToFileURL } from 'node:url';
import { preloadEmbeddedPostgres, startEmbeddedPostgres } from './db/embedded-postgres.js';
import { ConfigError } from './errors.js';

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
  const server = await startServer(config, {
    embedded: database,
    onDemoAccounts: (accounts) => {
      // Printed once, at the first start, and only for the local embedded database.
      if (!embedded) return;
      console.log('\nDemo accounts (shown once; `holomesh token --user NAME` prints a token any time):');
      for (const a of accounts) console.log(`  ${a.username.padEnd(8)} ${a.role.padEnd(9)} password: ${a.password}`);
      console.log('');
    },
    onFatal: () => process.exit(1),
  });
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
