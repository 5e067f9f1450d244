import type { Command } from 'commander';
import { main } from '../main.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('start the service (embedded PostgreSQL and session store when nothing is configured)')
    .option('-p, --port <port>', 'port to listen on (overrides PORT)')
    .option('--host <host>', 'address to bind (overrides HOST)')
    .action(async (opts: { port?: string; host?: string }) => {
      if (opts.port) process.env.PORT = opts.port;
      if (opts.host) process.env.HOST = opts.host;
      await main();
    });
}
