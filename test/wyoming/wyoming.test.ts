import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { ESPEAK_MISSING, hasEspeak, hasSox, soxNoise, synthesizePcm } from '../helpers/audio.js';
import { startAppWyoming, SESSION_KEY, type WyomingServer } from '../../src/wyoming/index.js';
import { interleave, TestWyomingClient } from './client.js';
import { skipWithout } from '../helpers/skip.js';

describe.skipIf(skipWithout(!hasEspeak && ESPEAK_MISSING))(`Wyoming server${hasEspeak ? '' : ` (${ESPEAK_MISSING})`}`, { timeout: 120_000 }, () => {
  let t: TestApp;
  let wyoming: WyomingServer;
  let unbound: WyomingServer;
  const clients: TestWyomingClient[] = [];
  const open = async (port = wyoming.port) => {
    const client = await TestWyomingClient.open(port);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    t = await createTestApp({}, { speech: true, speechWorkers: 1 });
    wyoming = await startAppWyoming(t.app, { host: '127.0.0.1', port: 0, user: 'alex' }, { idleTimeoutMs: 1_500 });
    unbound = await startAppWyoming(t.app, { host: '127.0.0.1', port: 0, user: undefined });
  }, 120_000);
  afterAll(async () => {
    for (const c of clients) c.close();
    await wyoming?.close();
    await unbound?.close();
    await t?.close();
  });

  const rows = async (sql: string, params: unknown[] = []) => t.database.db.dataSource.query(sql, params);
  const alexId = async () => (await rows(`SELECT id FROM users WHERE username = 'alex'`))[0].id as string;

  it('describes its speech-to-text, handle and intent services', async () => {
    const info = await (await open()).ask('describe');
    expect(info.type).toBe('info');
    const asr = info.data.asr as { name: string; installed: boolean; attribution: { name: string; url: string }; models: { name: string; languages: string[]; installed: boolean; version: string }[] }[];
    expect(asr).toHaveLength(1);
    expect(asr[0]).toMatchObject({ name: 'holomesh', installed: true, attribution: { name: 'HoloMesh Voice' } });
    expect(asr[0]!.models[0]).toMatchObject({ installed: true, languages: ['en'] });
    expect(asr[0]!.models[0]!.name).toMatch(/^soundswallower\//);
    expect((info.data.handle as unknown[])).toHaveLength(1);
    expect((info.data.intent as unknown[])).toHaveLength(1);
    // Without a user the port only transcribes and recognises.
    const plain = await (await open(unbound.port)).ask('describe');
    expect(plain.data.handle).toEqual([]);
    expect((plain.data.intent as unknown[])).toHaveLength(1);
  });

  it('transcribes a spoken command sent as 22.05 kHz stereo (resampled, channels mixed), then handles it as a logged voice command', async () => {
    const client = await open();
    const rate = 22_050;
    const audio = interleave(synthesizePcm('buy the paper crane chip', { sampleRate: rate }), 2);
    client.send('transcribe', { language: 'en', context: { conversation_id: 'ha-asr-1' } });
    client.send('audio-start', { rate, width: 2, channels: 2 });
    const chunk = Math.round(rate / 10) * 4;
    for (let i = 0; i < audio.length; i += chunk) client.send('audio-chunk', { rate, width: 2, channels: 2 }, audio.subarray(i, i + chunk));
    client.send('audio-stop');
    const transcript = await client.next(60_000);
    expect(transcript.type).toBe('transcript');
    expect(transcript.data.text).toBe('buy the paper crane chip');
    expect(transcript.data.context).toEqual({ conversation_id: 'ha-asr-1' });

    // Home Assistant sends the text back to the handle service: it is logged as what was heard.
    const handled = await (await open()).ask('transcript', { text: transcript.data.text, context: { conversation_id: 'ha-asr-1' } });
    expect(handled.type).toBe('handled');
    expect(handled.data.text).toMatch(/^Buy Paper Crane .* Say yes to confirm\.$/);
    const [row] = await rows(`SELECT source, engine, asr_confidence, intent FROM voice_commands WHERE user_id = $1 AND transcript = 'buy the paper crane chip'`, [await alexId()]);
    expect(row).toMatchObject({ source: 'voice', intent: 'BuyChip' });
    expect(row.engine).toMatch(/^soundswallower\//);
    expect(row.asr_confidence).toBeGreaterThan(0);
  });

  it('answers an utterance without audio with an empty transcript, which the handle service never acts on', async () => {
    const client = await open();
    client.send('transcribe', { context: { conversation_id: 'ha-quiet' } });
    client.send('audio-start', { rate: 16_000, width: 2, channels: 1 });
    client.send('audio-stop');
    expect(await client.next()).toEqual({ type: 'transcript', data: { text: '', context: { conversation_id: 'ha-quiet' } }, payload: Buffer.alloc(0) });
    const before = await rows('SELECT COUNT(*)::int AS n FROM voice_commands');
    expect((await client.ask('transcript', { text: '', context: { conversation_id: 'ha-quiet' } })).type).toBe('not-handled');
    expect(await rows('SELECT COUNT(*)::int AS n FROM voice_commands')).toEqual(before);
  });

  it.each(['silence', 'white', 'pink'] as const)('answers 2 s of %s with an empty transcript: the decoder never names a command for it', async (kind) => {
    if (!hasSox) throw new Error('sox is missing: .ci/run installs it');
    const client = await open();
    client.send('transcribe', { context: { conversation_id: `ha-${kind}` } });
    client.send('audio-start', { rate: 16_000, width: 2, channels: 1 });
    const pcm = soxNoise(kind, 2);
    for (let i = 0; i < pcm.length; i += 3200) {
      const chunk = pcm.subarray(i, i + 3200);
      client.send('audio-chunk', { rate: 16_000, width: 2, channels: 1 }, Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    }
    client.send('audio-stop');
    expect(await client.next()).toMatchObject({ type: 'transcript', data: { text: '', context: { conversation_id: `ha-${kind}` } } });
  });

  it('recognises an intent without acting on it, and says when it recognises none', async () => {
    const client = await open();
    const before = await rows('SELECT COUNT(*)::int AS n FROM voice_commands');
    const intent = await client.ask('recognize', { text: 'buy neon dragon', context: { turn: 1 } });
    expect(intent).toMatchObject({ type: 'intent', data: { name: 'BuyChip', entities: [{ name: 'chip', value: 'Neon Dragon' }], text: 'buy neon dragon', context: { turn: 1 } } });
    const none = await client.ask('recognize', { text: 'purple monkey dishwasher' });
    expect(none).toMatchObject({ type: 'not-recognized', data: { text: 'purple monkey dishwasher' } });
    expect(await rows('SELECT COUNT(*)::int AS n FROM voice_commands')).toEqual(before);
  });

  it('asks before a purchase and completes it on "yes" sent over a second connection with the same context', async () => {
    const first = await open();
    const ask = await first.ask('transcript', { text: 'buy neon dragon' });
    expect(ask).toMatchObject({ type: 'handled', data: { text: 'Buy Neon Dragon by Nova for 25 credits? Say yes to confirm.' } });
    const context = ask.data.context as Record<string, unknown>;
    expect(context[SESSION_KEY]).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    first.close();

    const second = await open();
    const done = await second.ask('transcript', { text: 'yes', context });
    expect(done.type).toBe('handled');
    expect(done.data.text).toMatch(/^Done\. You bought Neon Dragon number \d+ for 25 credits\./);
    expect(done.data.context).toEqual(context);
    const logged = await rows(`SELECT transcript, intent, outcome, source FROM voice_commands WHERE user_id = $1 AND session_id = $2 ORDER BY created_at`, [await alexId(), context[SESSION_KEY]]);
    expect(logged).toEqual([
      { transcript: 'buy neon dragon', intent: 'BuyChip', outcome: 'ok', source: 'text' },
      { transcript: 'yes', intent: 'BuyChip', outcome: 'ok', source: 'text' },
    ]);
    const owned = await rows(`SELECT COUNT(*)::int AS n FROM editions e JOIN chips c ON c.id = e.chip_id WHERE e.owner_id = $1 AND c.name = 'Neon Dragon'`, [await alexId()]);
    expect(owned[0].n).toBe(1);
  });

  it('never acts on an empty transcript (no speech) and refuses commands on a port bound to no user', async () => {
    const before = await rows('SELECT COUNT(*)::int AS n FROM voice_commands');
    const empty = await (await open()).ask('transcript', { text: '  ', context: { conversation_id: 'ha-empty' } });
    expect(empty.type).toBe('not-handled');
    expect(await rows('SELECT COUNT(*)::int AS n FROM voice_commands')).toEqual(before);
    const refused = await (await open(unbound.port)).ask('transcript', { text: 'what is my balance' });
    expect(refused).toMatchObject({ type: 'error', data: { code: 'HM_ERR_AUTH_FORBIDDEN' } });
  });

  it('does not run the queued commands of a client that hung up', async () => {
    const client = await open();
    const before = (await rows('SELECT COUNT(*)::int AS n FROM voice_commands'))[0].n as number;
    for (let i = 0; i < 5; i++) client.send('transcript', { text: 'what is my balance' });
    client.close();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const after = (await rows('SELECT COUNT(*)::int AS n FROM voice_commands'))[0].n as number;
    // The one in flight when the connection closed may finish; the rest are dropped.
    expect(after - before).toBeLessThanOrEqual(1);
  });

  it('refuses audio that is not 16-bit with an error event and stays usable', async () => {
    const client = await open();
    client.send('transcribe');
    client.send('audio-start', { rate: 16_000, width: 4, channels: 1 });
    client.send('audio-chunk', { rate: 16_000, width: 4, channels: 1 }, Buffer.alloc(6_400));
    client.send('audio-stop');
    expect(await client.next()).toMatchObject({ type: 'error', data: { code: 'HM_ERR_VOICE_AUDIO' } });
    // The rest of the refused utterance is dropped silently; the connection goes on.
    expect(await client.ask('ping', { text: 'still there' })).toMatchObject({ type: 'pong', data: { text: 'still there' } });
  });

  describe('malformed input is answered or cut off without harming the server', () => {
    const expectClosedWithError = async (client: TestWyomingClient, code: string) => {
      expect(await client.next()).toMatchObject({ type: 'error', data: { code } });
      await client.closed;
    };

    it('a line that is not JSON', async () => {
      const client = await open();
      client.sendRaw('this is not json\n');
      await expectClosedWithError(client, 'HM_ERR_VOICE_PROTOCOL');
    });

    it('a data_length shorter than the data sent (the rest is read as a broken event line)', async () => {
      const client = await open();
      client.sendRaw(`${JSON.stringify({ type: 'recognize', data_length: 5 })}\n${JSON.stringify({ text: 'buy neon dragon' })}`);
      await expectClosedWithError(client, 'HM_ERR_VOICE_PROTOCOL');
    });

    it('a payload_length longer than the payload sent: nothing is answered and the idle connection is closed', async () => {
      const client = await open();
      client.sendRaw(`${JSON.stringify({ type: 'audio-chunk', payload_length: 32_000 })}\n`);
      client.sendRaw(Buffer.alloc(1_000));
      await client.closed;
      await expect(client.next(10)).rejects.toThrow('connection closed');
    });

    it('a huge payload_length is refused before any of it is read', async () => {
      const client = await open();
      client.sendRaw(`${JSON.stringify({ type: 'audio-chunk', data: { rate: 16_000, width: 2, channels: 1 }, payload_length: 64 * 1024 * 1024 })}\n`);
      await expectClosedWithError(client, 'HM_ERR_REQUEST_TOO_LARGE');
    });

    it('an endless line without a newline', async () => {
      const client = await open();
      client.sendRaw(Buffer.alloc(200 * 1024, 0x61));
      await expectClosedWithError(client, 'HM_ERR_REQUEST_TOO_LARGE');
    });

    it('negative and non-numeric lengths, and an event without a type', async () => {
      for (const header of [{ type: 'describe', data_length: -1 }, { type: 'describe', payload_length: 'lots' }, { data: {} }]) {
        const client = await open();
        client.sendRaw(`${JSON.stringify(header)}\n`);
        await expectClosedWithError(client, 'HM_ERR_VOICE_PROTOCOL');
      }
    });

    it('still serves new connections afterwards', async () => {
      const client = await open();
      expect((await client.ask('recognize', { text: 'what is my balance' })).data.name).toBe('CheckBalance');
    });
  });
});

describe('Wyoming server without a speech engine, with a small command budget', () => {
  let t: TestApp;
  let wyoming: WyomingServer;
  let client: TestWyomingClient;
  beforeAll(async () => {
    t = await createTestApp({ COMMAND_RATE_LIMIT_MAX: '2', COMMAND_RATE_LIMIT_WINDOW_S: '60' });
    wyoming = await startAppWyoming(t.app, { host: '127.0.0.1', port: 0, user: 'sam' });
    client = await TestWyomingClient.open(wyoming.port);
  }, 60_000);
  afterAll(async () => {
    client?.close();
    await wyoming?.close();
    await t?.close();
  });

  it('offers no speech-to-text and says so when asked to transcribe', async () => {
    expect((await client.ask('describe')).data.asr).toEqual([]);
    expect(await client.ask('transcribe')).toMatchObject({ type: 'error', data: { code: 'HM_ERR_VOICE_UNAVAILABLE' } });
  });

  it('answers commands up to the per-user budget, then refuses them', async () => {
    expect((await client.ask('transcript', { text: 'what is my balance' })).type).toBe('handled');
    expect((await client.ask('transcript', { text: 'what is my balance' })).type).toBe('handled');
    expect(await client.ask('transcript', { text: 'what is my balance' })).toMatchObject({ type: 'error', data: { code: 'HM_ERR_REQUEST_RATE_LIMITED' } });
  });
});
