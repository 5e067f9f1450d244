import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { startAppWyoming, type WyomingServer } from '../../src/wyoming/index.js';
import { User } from '../../src/db/entities/index.js';
import { TestWyomingClient } from './client.js';

/** A Wyoming port bound by a device credential (WYOMING_DEVICE_TOKEN) instead of WYOMING_USER. */
describe('Wyoming port bound by a device credential', () => {
  let t: TestApp;
  let wyoming: WyomingServer | undefined;
  const clients: TestWyomingClient[] = [];
  beforeAll(async () => { t = await createTestApp(); }, 120_000);
  afterAll(async () => {
    for (const c of clients) c.close();
    await wyoming?.close();
    await t?.close();
  });

  it('acts for the credential\'s user until it is revoked, then refuses at once', async () => {
    const alex = await t.database.db.dataSource.getRepository(User).findOneByOrFail({ username: 'alex' });
    const { device, token } = await t.app.deviceCredentials.create(alex.id, 'living room hub');
    wyoming = await startAppWyoming(t.app, { host: '127.0.0.1', port: 0, user: undefined, deviceToken: token });
    const client = await TestWyomingClient.open(wyoming.port);
    clients.push(client);

    const handled = await client.ask('transcript', { text: 'what is my balance', context: { conversation_id: 'device-1' } });
    expect(handled.type).toBe('handled');
    expect(handled.data.text).toMatch(/credits/);

    expect(await t.app.deviceCredentials.revoke(alex.id, device.id)).toBe(true);
    const refused = await client.ask('transcript', { text: 'what is my balance', context: { conversation_id: 'device-1' } });
    expect(refused).toMatchObject({ type: 'error', data: { code: 'HM_ERR_AUTH_REQUIRED', text: expect.stringContaining('revoked') } });
  });

  it('refuses to start with a revoked or unknown credential, or with WYOMING_USER too', async () => {
    await expect(startAppWyoming(t.app, { host: '127.0.0.1', port: 0, user: undefined, deviceToken: 'hmd_not-a-real-device-token-at-all' }))
      .rejects.toThrow(/WYOMING_DEVICE_TOKEN: not a live device credential/);
    await expect(startAppWyoming(t.app, { host: '127.0.0.1', port: 0, user: 'alex', deviceToken: 'hmd_not-a-real-device-token-at-all' }))
      .rejects.toThrow(/not both/);
  });
});
