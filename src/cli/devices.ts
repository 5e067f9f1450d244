import type { Command } from 'commander';
import type { Config } from '../config.js';
import { openCache } from '../cache/index.js';
import { DeviceCredentialStore, deviceChannel } from '../auth/device-credentials.js';
import { findUserByName } from '../auth/user-admin.js';
import { withDatabase } from './context.js';
import { formatTable, formatTime } from './table.js';

/**
 * With Redis configured, tells every instance that these credentials were revoked, so open voice
 * sessions of those devices close now. (Without Redis there is one instance, in another process:
 * its sessions end at their next command, which checks the database.)
 */
export async function announceRevokedDevices(config: Config, deviceIds: readonly string[]): Promise<void> {
  if (!config.redisUrl || deviceIds.length === 0) return;
  const { store, pubsub } = await openCache(config.redisUrl);
  try {
    for (const id of deviceIds) await pubsub.publish(deviceChannel(id), { revoked: true });
  } finally {
    await pubsub.close();
    await store.close();
  }
}

/** `holomesh devices add | list | revoke`: credentials for a user's speakers and headsets. */
export function registerDevices(program: Command): void {
  const devices = program
    .command('devices')
    .description("manage a user's device credentials: long-lived tokens for speakers and headsets that may only send voice and text commands");

  devices
    .command('add')
    .description('create a device credential and print its token (shown this once)')
    .requiredOption('-u, --user <name>', 'username')
    .requiredOption('-n, --name <device>', 'what to call the device, e.g. kitchen')
    .action(async (opts: { user: string; name: string }) => {
      await withDatabase(async ({ db }) => {
        const user = await findUserByName(db.dataSource.manager, opts.user);
        const { device, token } = await new DeviceCredentialStore(db.dataSource).create(user.id, opts.name);
        console.error(`device "${device.name}" of ${user.username} (id ${device.id}): keep this token, it is not shown again`);
        console.log(token);
      }, { existing: true });
    });

  devices
    .command('list')
    .description("a user's device credentials with their last use")
    .requiredOption('-u, --user <name>', 'username')
    .option('--json', 'one JSON object per line')
    .action(async (opts: { user: string; json?: boolean }) => {
      await withDatabase(async ({ db }) => {
        const user = await findUserByName(db.dataSource.manager, opts.user);
        const list = await new DeviceCredentialStore(db.dataSource).list(user.id);
        if (opts.json) {
          for (const d of list) console.log(JSON.stringify(d));
          return;
        }
        if (list.length === 0) {
          console.log(`${user.username} has no device credentials`);
          return;
        }
        console.log(formatTable(['NAME', 'CREATED', 'LAST USED', 'ID'], list.map((d) => [d.name, formatTime(d.createdAt), formatTime(d.lastUsedAt), d.id])));
      }, { existing: true });
    });

  devices
    .command('revoke')
    .description('revoke a device credential at once, by name or id')
    .requiredOption('-u, --user <name>', 'username')
    .option('-n, --name <device>', 'the device name')
    .option('--id <id>', 'the device id (from devices list)')
    .action(async (opts: { user: string; name?: string; id?: string }) => {
      if (!opts.name === !opts.id) throw new Error('name the device with --name or --id');
      await withDatabase(async ({ config, db }) => {
        const user = await findUserByName(db.dataSource.manager, opts.user);
        const store = new DeviceCredentialStore(db.dataSource);
        const name = opts.name?.trim().toLowerCase();
        const device = (await store.list(user.id)).find((d) => (opts.id ? d.id === opts.id : d.name.toLowerCase() === name));
        if (!device || !(await store.revoke(user.id, device.id))) throw new Error(`${user.username} has no device ${opts.id ?? `named "${opts.name}"`}`);
        await announceRevokedDevices(config, [device.id]);
        console.log(`revoked device "${device.name}" of ${user.username}`);
      }, { existing: true });
    });
}
