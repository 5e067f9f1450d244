import { afterAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { TestWyomingClient } from './client.js';

describe('WYOMING_PORT in the service', { timeout: 120_000 }, () => {
  const databases: TestDatabase[] = [];
  let server: RunningServer | undefined;
  afterAll(async () => {
    await server?.close();
    for (const d of databases) await d.close();
  });
  const database = async (env: Record<string, string>) => {
    const d = await createTestDatabase({ PORT: '0', SEED_DEMO: 'always', WYOMING_PORT: '0', ...env });
    databases.push(d);
    return d;
  };

  it('refuses to start when WYOMING_USER names no account', async () => {
    const { config } = await database({ WYOMING_USER: 'nobody-here' });
    await expect(startServer(config, { logger: false })).rejects.toThrow(/WYOMING_USER: there is no account named "nobody-here"/);
  });

  it('serves Wyoming beside HTTP for the configured user, and stops it with the service', async () => {
    const { config } = await database({ WYOMING_USER: 'alex' });
    server = await startServer(config, { logger: false });
    expect(server.wyoming).toMatchObject({ host: '127.0.0.1' });
    const port = server.wyoming!.port;
    const client = await TestWyomingClient.open(port);
    const answer = await client.ask('transcript', { text: 'what is my balance' });
    expect(answer.type).toBe('handled');
    expect(answer.data.text).toMatch(/^You have \d+ credits/);
    await server.close();
    await client.closed;
    await expect(TestWyomingClient.open(port)).rejects.toThrow(/ECONNREFUSED/);
  });
});
