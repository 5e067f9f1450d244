import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { ESPEAK_MISSING, hasEspeak, hasSox, SOX_MISSING, soxNoise, synthesizePcm } from '../helpers/audio.js';
import { openVoice, streamAudio } from '../helpers/voice-client.js';
import { skipWithout } from '../helpers/skip.js';

/**
 * No speech, no command: silence, noise, the audio after a final and a reset or eof with nothing
 * said are answered with vosk's empty final, over the WebSocket and over HTTP, through the real
 * decoder, dialog and database; no command row is written and no credit moves.
 */
const RATE = 16_000;
const silence = (seconds: number) => new Int16Array(Math.round(seconds * RATE));
const join = (...parts: Int16Array[]) => {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) { out.set(part, offset); offset += part.length; }
  return out;
};

const NOTHING_SAID: [string, () => Int16Array][] = [
  ['2 s of digital silence', () => silence(2)],
  ['2 s of quiet white noise', () => soxNoise('white', 2)],
  ['2 s of quiet pink noise', () => soxNoise('pink', 2)],
  ['2 s of quiet brown noise', () => soxNoise('brown', 2)],
];

const skipped = skipWithout(!hasEspeak ? ESPEAK_MISSING : !hasSox && SOX_MISSING);

describe.skipIf(skipped)(`no speech, no command${hasEspeak ? '' : ` (${ESPEAK_MISSING})`}`, { timeout: 120_000 }, () => {
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    t = await createTestApp({}, { speech: true, speechWorkers: 1 });
    url = await t.app.listen({ host: '127.0.0.1', port: 0 });
  }, 120_000);
  afterAll(async () => { await t?.close(); });

  const query = async (sql: string, params: unknown[] = []) => t.database.db.dataSource.query(sql, params) as Promise<Record<string, unknown>[]>;
  /** What must not change: the user's command rows, balance and editions. */
  const state = async (username: string) => {
    const [user] = await query('SELECT id FROM users WHERE username = $1', [username]);
    const id = user!.id as string;
    const [commands] = await query('SELECT count(*)::int AS n FROM voice_commands WHERE user_id = $1', [id]);
    const [editions] = await query('SELECT count(*)::int AS n FROM editions WHERE owner_id = $1', [id]);
    const wallet = await t.app.inject({ method: 'GET', url: '/v1/wallet', headers: { authorization: `Bearer ${await t.tokenFor(username)}` } });
    return { commands: commands!.n as number, editions: editions!.n as number, balance: (wallet.json() as { balance: number }).balance };
  };
  const noSpeechCount = async (transport: string) => {
    const body = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    const line = body.split('\n').find((l) => l.startsWith(`holomesh_speech_no_speech_total{transport="${transport}"}`));
    return line ? Number(line.split(' ').at(-1)) : 0;
  };
  const postAudio = async (username: string, pcm: Int16Array, session: string) => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/v1/speech-to-intent?rate=${RATE}&session=${session}`,
      headers: { authorization: `Bearer ${await t.tokenFor(username)}`, 'content-type': 'application/octet-stream' },
      payload: Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength),
    });
    expect(res.statusCode).toBe(200);
    return res.json() as Record<string, unknown>;
  };
  const NO_SPEECH_REPLY = { text: '', result: [], intent: null, commandId: null, outcome: 'no_speech', reply: null };

  it.each(NOTHING_SAID)('HTTP: %s is an empty transcript, no command', async (_name, audio) => {
    const before = await state('sam');
    const counted = await noSpeechCount('http');
    expect(await postAudio('sam', audio(), 'no-speech-http-1')).toMatchObject(NO_SPEECH_REPLY);
    expect(await state('sam')).toEqual(before);
    expect(await noSpeechCount('http')).toBe(counted + 1);
  });

  it.each(NOTHING_SAID)('WebSocket: %s gets vosk\'s empty final, no partial words, no command', async (_name, audio) => {
    const before = await state('alex');
    const counted = await noSpeechCount('websocket');
    const { frames, finals, closeCode } = await streamAudio(url, audio(), { token: await t.tokenFor('alex'), config: { words: true } });
    expect(closeCode).toBe(1000);
    expect(finals.length).toBeGreaterThanOrEqual(1);
    for (const final of finals) expect(final).toEqual({ text: '', sessionId: expect.any(String), outcome: 'no_speech' });
    expect(frames.filter((f) => 'partial' in f).every((f) => f.partial === '')).toBe(true);
    expect(await state('alex')).toEqual(before);
    expect(await noSpeechCount('websocket')).toBe(counted + finals.length);
  });

  it('WebSocket: a command, 1.5 s of silence, then eof is one command; the tail is an empty final', async () => {
    const before = await state('alex');
    const { finals } = await streamAudio(url, join(synthesizePcm('what is my balance'), silence(1.5)), { token: await t.tokenFor('alex') });
    expect(finals[0]).toMatchObject({ text: 'what is my balance', intent: 'CheckBalance' });
    expect(finals.at(-1)).toMatchObject({ text: '', outcome: 'no_speech' });
    expect(finals.filter((f) => f.text !== '')).toHaveLength(1);
    expect(await state('alex')).toEqual({ ...before, commands: before.commands + 1 });
  });

  it('WebSocket: a reset or eof with nothing said since the last final acts on nothing', async () => {
    const before = await state('alex');
    const { socket, frames, closed } = await openVoice(url, { token: await t.tokenFor('alex') });
    socket.send(JSON.stringify({ config: { sample_rate: RATE } }));
    const pcm = join(synthesizePcm('what is my balance'), silence(1));
    socket.send(Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength));
    socket.send('{"reset" : 1}');
    socket.send('{"reset" : 1}');
    socket.send('{"eof" : 1}');
    expect(await closed).toBe(1000);
    const finals = frames.filter((f) => 'text' in f);
    expect(finals.map((f) => f.intent ?? f.outcome)).toEqual(['CheckBalance', 'no_speech', 'no_speech', 'no_speech']);
    expect(await state('alex')).toEqual({ ...before, commands: before.commands + 1 });
  });

  it('HTTP: a command with 1.5 s of trailing silence is one command; the silence alone is none', async () => {
    const before = await state('sam');
    expect(await postAudio('sam', join(synthesizePcm('what is my balance'), silence(1.5)), 'no-speech-http-2')).toMatchObject({ intent: 'CheckBalance', outcome: 'ok' });
    expect(await postAudio('sam', silence(1.5), 'no-speech-http-2')).toMatchObject(NO_SPEECH_REPLY);
    expect(await state('sam')).toEqual({ ...before, commands: before.commands + 1 });
  });

  it('WebSocket: quiet noise while a purchase waits for its yes neither confirms nor cancels it', async () => {
    const token = await t.tokenFor('alex');
    const session = 'no-speech-purchase-ws';
    for (const kind of ['white', 'pink'] as const) {
      const before = await state('alex');
      const { finals } = await streamAudio(url, join(synthesizePcm('buy the paper crane chip'), silence(1), soxNoise(kind, 2)), { token, session });
      expect(finals[0]).toMatchObject({ intent: 'BuyChip', slots: { chip: 'Paper Crane' }, reply: { expectsReply: true } });
      expect(finals.slice(1).every((f) => f.text === '' && f.outcome === 'no_speech'), JSON.stringify(finals.slice(1))).toBe(true);
      expect(await state('alex')).toEqual({ ...before, commands: before.commands + 1 });
    }
    // The question is still open: a clear yes buys.
    const { socket, frames, closed } = await openVoice(url, { token, session });
    socket.send(JSON.stringify({ type: 'text', text: 'yes' }));
    await expect.poll(() => frames.length, { timeout: 20_000 }).toBe(1);
    expect((frames[0]!.reply as { text: string }).text).toMatch(/bought Paper Crane/);
    socket.close();
    await closed;
  });

  it('HTTP: quiet noise while a purchase waits for its yes neither confirms nor cancels it', async () => {
    const session = 'no-speech-purchase-http';
    const before = await state('sam');
    expect(await postAudio('sam', synthesizePcm('buy the paper crane chip'), session)).toMatchObject({ intent: 'BuyChip', reply: { expectsReply: true } });
    for (const kind of ['white', 'pink', 'brown'] as const) {
      expect(await postAudio('sam', soxNoise(kind, 2), session)).toMatchObject(NO_SPEECH_REPLY);
    }
    expect(await state('sam')).toEqual({ ...before, commands: before.commands + 1 });
    const yes = await t.app.inject({
      method: 'POST', url: '/v1/commands', headers: { authorization: `Bearer ${await t.tokenFor('sam')}` }, payload: { text: 'yes', sessionId: session },
    });
    expect((yes.json() as { reply: { text: string } }).reply.text).toMatch(/bought Paper Crane/);
  });
});
