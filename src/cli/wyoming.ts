import type { Command } from 'commander';
import { main } from '../main.js';

/** The port Wyoming speech-to-text services usually take (Home Assistant suggests it). */
const DEFAULT_WYOMING_PORT = '10300';

export function registerWyoming(program: Command): void {
  program
    .command('wyoming')
    .description('start the service with its Wyoming server for Home Assistant and its satellites (WYOMING_PORT, default 10300)')
    .option('-p, --port <port>', 'Wyoming port (overrides WYOMING_PORT)')
    .option('--host <host>', 'Wyoming address to bind (overrides WYOMING_HOST; default 127.0.0.1)')
    .option('--user <name>', 'the account commands on the port act for (overrides WYOMING_USER); without one, speech-to-text and recognition only')
    .action(async (opts: { port?: string; host?: string; user?: string }) => {
      process.env.WYOMING_PORT = opts.port ?? (process.env.WYOMING_PORT || DEFAULT_WYOMING_PORT);
      if (opts.host) process.env.WYOMING_HOST = opts.host;
      if (opts.user) process.env.WYOMING_USER = opts.user;
      await main();
    });
}
