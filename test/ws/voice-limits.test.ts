import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { openVoice } from '../helpers/voice-client.js';

describe('voice connection limits', () => {
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    t = await createTestApp({ MAX_VOICE_SESSIONS_PER_USER: '1' });
    url = await t.app.listen({ host: '127.0.0.1', port: 0 });
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

  it('refuses new connections from one address beyond the per-minute limit, saying when to retry', async () => {
    // An app of its own, counting in-process: its minute starts now, whatever else used 127.0.0.1.
    const limited = await createTestApp({ WS_CONNECTIONS_PER_MINUTE: '3', REDIS_URL: '' });
    try {
      const limitedUrl = await limited.app.listen({ host: '127.0.0.1', port: 0 });
      const token = await limited.tokenFor('sam');
      const outcomes: string[] = [];
      for (let i = 0; i < 4; i++) {
        const v = await openVoice(limitedUrl, { token }).catch((err: Error) => err.message);
        if (typeof v === 'string') outcomes.push(v);
        else {
          outcomes.push('open');
          v.socket.close();
          await v.closed;
        }
      }
      expect(outcomes).toEqual(['open', 'open', 'open', 'HTTP 429']);
      // Refused before the upgrade, with the catalog body and the seconds left in the window.
      const refused = await fetch(`${limitedUrl}/v1/voice`, { headers: { authorization: `Bearer ${token}` } });
      expect(refused.status).toBe(429);
      expect((await refused.json() as { error: { code: string } }).error.code).toBe('HM_ERR_REQUEST_RATE_LIMITED');
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect((await fetch(`${limitedUrl}/health`)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('holds no session slot for plain GET requests that never upgrade', async () => {
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
