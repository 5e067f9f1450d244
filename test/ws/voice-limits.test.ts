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
});
