import { Option, type Command } from 'commander';
import { ROLES } from '../db/entities/index.js';
import { addUser, isRole, listUsers, setDisabled, setPassword, setRole } from '../auth/user-admin.js';
import { normaliseUsername } from '../auth/accounts.js';
import { forgetDemoAccount } from '../demo/accounts.js';
import { withDatabase } from './context.js';
import { readPassword } from './password-input.js';
import { announceRevokedDevices } from './devices.js';
import { formatTable, formatTime } from './table.js';

const roleOption = () => new Option('--role <role>', 'client, designer or admin').choices(ROLES);

/** `holomesh users add | list | passwd | role | disable | enable`: accounts, for operators. */
export function registerUsers(program: Command): void {
  const users = program
    .command('users')
    .description('manage accounts: add, list, set a password or role, disable (passwords are read from a prompt or standard input)');

  users
    .command('add <username>')
    .description('create an account; the password is asked for (or read from standard input)')
    .requiredOption('--email <address>', 'email address')
    .addOption(roleOption().default('client'))
    .option('--display-name <name>', 'the name clients say (designers only, required for them)')
    .action(async (username: string, opts: { email: string; role: string; displayName?: string }) => {
      if (!isRole(opts.role)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
      const role = opts.role;
      const password = await readPassword(`Password for ${username}`);
      await withDatabase(async ({ db }) => {
        const user = await addUser(db.dataSource, { username, email: opts.email, role, password, ...(opts.displayName ? { displayName: opts.displayName } : {}) });
        console.log(`created ${user.username} (${user.role})`);
      }, { existing: true });
    });

  users
    .command('list')
    .description('every account, with its role, two-factor state and whether it is disabled')
    .option('--json', 'one JSON object per line')
    .action(async (opts: { json?: boolean }) => {
      await withDatabase(async ({ db }) => {
        const all = await listUsers(db.dataSource);
        if (opts.json) {
          for (const u of all) console.log(JSON.stringify(u));
          return;
        }
        console.log(formatTable(['USERNAME', 'ROLE', '2FA', 'STATE', 'CREATED', 'EMAIL'],
          all.map((u) => [u.username, u.role, u.totpEnabled ? 'on' : 'off', u.disabled ? 'disabled' : 'active', formatTime(u.createdAt), u.email])));
      }, { existing: true });
    });

  users
    .command('passwd <username>')
    .description("set a user's password (asked for, or read from standard input) and sign them out everywhere")
    .action(async (username: string) => {
      const password = await readPassword(`New password for ${username}`);
      await withDatabase(async ({ config, db }) => {
        await setPassword(db.dataSource, username, password);
        console.log(`password of ${username} changed; their sessions are signed out`);
        const name = normaliseUsername(username);
        if (await forgetDemoAccount(config.dataDir, name)) console.log(`${name} is no longer listed in the demo accounts' file`);
      }, { existing: true });
    });

  users
    .command('role <username> <role>')
    .description('change the role (client, designer or admin) and sign the user out everywhere')
    .option('--display-name <name>', 'the name clients say, for a new designer')
    .action(async (username: string, role: string, opts: { displayName?: string }) => {
      if (!isRole(role)) throw new Error(`the role must be one of ${ROLES.join(', ')}`);
      await withDatabase(async ({ db }) => {
        const changed = await setRole(db.dataSource, username, role, opts.displayName);
        console.log(changed ? `${username} is now ${role}; their sessions are signed out` : `${username} already is ${role}`);
      }, { existing: true });
    });

  users
    .command('disable <username>')
    .description('refuse sign-in, sign the user out everywhere and revoke their device credentials')
    .action(async (username: string) => {
      await withDatabase(async ({ config, db }) => {
        const revoked = await setDisabled(db.dataSource, username, true);
        await announceRevokedDevices(config, revoked);
        console.log(`${username} is disabled: signed out everywhere, ${revoked.length} device credential(s) revoked`);
      }, { existing: true });
    });

  users
    .command('enable <username>')
    .description('let a disabled user sign in again')
    .action(async (username: string) => {
      await withDatabase(async ({ db }) => {
        await setDisabled(db.dataSource, username, false);
        console.log(`${username} may sign in again`);
      }, { existing: true });
    });
}
