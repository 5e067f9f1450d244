import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { openVoice } from '../helpers/voice-client.js';

describe('voice connection limits', () => {
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    t = await createTestApp({ MAX_VOICE_SESSIONS_PER_USER: '1', WS_CONNECTIONS_PER_MINUTE: '10' });
    url = await t.app.listen({ host: '127.0.0.1', port: 0 });
    // The per-address counter lives in the shared store: start from zero whatever ran before.
    await t.app.sessionStore.delete('ws-connections:127.0.0.1');
  });
  afterAll(async () => { await t?.close(); });

  it('refuses a second open session of the same user with HTTP 429, and frees the slot on close', async () => {
    const token = await t.tokenFor('alex');
    const first = await openVoice(url, { token });
    await expect(openVoice(url, { token })).rejects.toThrow('HTTP 429');
    first.socket.close();
    await first.closed;
    await expect.poll(async () => (await openVoice(url, { token }).then((v) => { v.socket.close(); return 'open'; }, () => 'refused')))
      .toBe('open');
  });

  it('refuses new connections from one address beyond the per-minute limit', async () => {
    const token = await t.tokenFor('sam');
    const outcomes: string[] = [];
    for (let i = 0; i < 12; i++) {
      const v = await openVoice(url, { token }).catch((err: Error) => err.message);
      if (typeof v === 'string') outcomes.push(v);
      else {
        outcomes.push('open');
        v.socket.close();
        await v.closed;
      }
    }
    // 10 per minute from 127.0.0.1, the first test included: the rest are refused before the upgrade
    expect(outcomes.at(-1)).toBe('HTTP 429');
    expect(outcomes.filter((o) => o === 'open').length).toBeLessThan(10);
    expect((await fetch(`${url}/health`)).status).toBe(200);
  });

  // After the per-address test: each case starts the address's minute over.
  it('holds no session slot for plain GET requests that never upgrade', async () => {
    await t.app.sessionStore.delete('ws-connections:127.0.0.1');
    const token = await t.tokenFor('nova');
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${url}/v1/voice`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(404);
    }
    // They took the only slot, and it stayed taken for the limiter's 6 hours.
    const v = await openVoice(url, { token });
    v.socket.close();
    await v.closed;
  });

  it('holds no session slot for an upgrade whose handshake fails', async () => {
    await t.app.sessionStore.delete('ws-connections:127.0.0.1');
    const token = await t.tokenFor('kenji');
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${url}/v1/voice`, {
        headers: { authorization: `Bearer ${token}`, connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'not a key' },
      });
      req.on('response', (res) => { res.resume(); resolve(res.statusCode ?? 0); });
      req.on('upgrade', () => reject(new Error('upgraded with a bad key')));
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(400);
    const v = await openVoice(url, { token });
    v.socket.close();
    await v.closed;
  });

  it('takes the slot once the socket is open and gives it back when it closes', async () => {
    await t.app.sessionStore.delete('ws-connections:127.0.0.1');
    const token = await t.tokenFor('mira');
    const slots = async () => t.app.connectionLimiter.count(`voice-sessions:${await userIdOf('mira')}`);
    const v = await openVoice(url, { token });
    await expect.poll(slots).toBe(1);
    v.socket.close();
    await v.closed;
    await expect.poll(slots).toBe(0);
  });

  const userIdOf = async (username: string): Promise<string> =>
    ((await t.database.db.dataSource.query('SELECT id FROM users WHERE username = $1', [username])) as { id: string }[])[0]!.id;
});
