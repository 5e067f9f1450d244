import type { Command } from 'commander';
import { User } from '../db/entities/index.js';
import { createTokenService } from '../auth/tokens.js';
import { withDatabase } from './context.js';

export function registerToken(program: Command): void {
  program
    .command('token')
    .description('print an access token (JWT) for a user, for operators and scripts')
    .requiredOption('-u, --user <name>', 'username')
    .option('--ttl <seconds>', 'lifetime in seconds (default: JWT_ACCESS_TTL_S)')
    .action(async (opts: { user: string; ttl?: string }) => {
      await withDatabase(async ({ config, secrets, db }) => {
        const user = await db.dataSource.getRepository(User).findOneBy({ username: opts.user });
        if (!user) throw new Error(`no user named "${opts.user}"`);
        if (user.disabledAt) throw new Error(`${user.username} is disabled (holomesh users enable ${user.username})`);
        const ttl = opts.ttl ? Number(opts.ttl) : config.jwtAccessTtlS;
        if (!Number.isInteger(ttl) || ttl < 30) throw new Error('--ttl must be a whole number of seconds, at least 30');
        const tokens = createTokenService(secrets.jwtSecret, ttl);
        console.log(tokens.issueAccessToken({ userId: user.id, username: user.username, role: user.role }));
      }, { existing: true });
    });
}
