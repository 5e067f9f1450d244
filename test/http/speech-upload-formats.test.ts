import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { writeWav } from '../../src/speech/wav.js';

/** What a client sends to POST /v1/speech-to-intent, and the status and code it gets back. */
describe('POST /v1/speech-to-intent uploads', { timeout: 120_000 }, () => {
  let t: TestApp;
  let auth: { authorization: string };
  // Half a second of near-silence: what matters here is that it is decoded at all.
  const wav = Buffer.from(writeWav(new Int16Array(8_000).map((_, i) => (i % 7) - 3), 16_000));
  const mp3 = Buffer.concat([Buffer.from('ID3\x04\x00\x00\x00\x00\x00\x00', 'latin1'), Buffer.from([0xff, 0xfb, 0x90, 0x64]), Buffer.alloc(400)]);

  beforeAll(async () => {
    t = await createTestApp({}, { speech: true, speechWorkers: 1 });
    auth = { authorization: `Bearer ${await t.tokenFor('alex')}` };
  }, 120_000);
  afterAll(async () => { await t?.close(); });

  const post = (headers: Record<string, string>, payload: Buffer | string, query = '') =>
    t.app.inject({ method: 'POST', url: `/v1/speech-to-intent${query}`, headers: { ...auth, ...headers }, payload });

  it('GET /ready names the speech model once the engine runs', async () => {
    const ready = (await t.app.inject({ method: 'GET', url: '/ready' })).json();
    expect(ready.speech).toBe('ready');
    expect(ready.speechModel).toMatch(/^soundswallower\/en-us-(16k|8k)$/);
    // The advice is there exactly when the bundled 8 kHz model is the one in use.
    expect('speechModelAdvice' in ready).toBe(ready.speechModel.endsWith('8k'));
  });

  it('an MP3 is a 415 that names the accepted formats', async () => {
    const res = await post({ 'content-type': 'audio/mpeg' }, mp3);
    expect(res.statusCode).toBe(415);
    expect(res.json().error.code).toBe('HM_ERR_VOICE_AUDIO');
    expect(res.json().error.message).toMatch(/audio\/mpeg is not an accepted audio format.*audio\/wav.*application\/octet-stream with \?rate=/);
  });

  it('text or JSON instead of audio is a 415 too', async () => {
    expect((await post({ 'content-type': 'text/plain' }, 'buy the neon dragon')).statusCode).toBe(415);
    const json = await post({ 'content-type': 'application/json' }, JSON.stringify({ text: 'hello' }));
    expect(json.statusCode).toBe(415);
    expect(json.json().error.code).toBe('HM_ERR_VOICE_AUDIO');
  });

  it('a WAV without a content type, or under another one, is recognised by its header', async () => {
    // inject sends a Buffer without a content type when none is given
    const untyped = await t.app.inject({ method: 'POST', url: '/v1/speech-to-intent', headers: auth, payload: wav });
    expect(untyped.statusCode).toBe(200);
    expect(untyped.json()).toHaveProperty('text');
    expect((await post({ 'content-type': 'application/octet-stream' }, wav)).statusCode).toBe(200);
    expect((await post({ 'content-type': 'audio/wav' }, wav)).statusCode).toBe(200);
  });

  it('a broken file declared as WAV says why it is not one', async () => {
    const res = await post({ 'content-type': 'audio/wav' }, mp3);
    expect(res.statusCode).toBe(415);
    expect(res.json().error.code).toBe('HM_ERR_SPEECH_WAV_INVALID');
  });

  it('raw PCM still needs its rate', async () => {
    const pcm = Buffer.alloc(3_200);
    expect((await post({ 'content-type': 'application/octet-stream' }, pcm)).statusCode).toBe(415);
    expect((await post({ 'content-type': 'application/octet-stream' }, pcm, '?rate=16000')).statusCode).toBe(200);
  });
});
