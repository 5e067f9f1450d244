import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BufferSource, BufferTarget, EncodedAudioPacketSource, EncodedPacketSink, Input, OGG, Output, WebMOutputFormat } from 'mediabunny';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { writeWav } from '../../src/speech/wav.js';
import { hasEspeak, synthesizePcm } from '../helpers/audio.js';

/** opus-tools' encoder: browsers' recordings are made the same way (libopus). CI installs it. */
const hasOpusenc = spawnSync('opusenc', ['--version'], { stdio: 'ignore' }).status === 0;

/** A WAV file as Ogg/Opus, encoded by opusenc at a voice bitrate. */
function oggOpus(wav: Uint8Array): Buffer {
  return execFileSync('opusenc', ['--quiet', '--bitrate', '24', '-', '-'], { input: wav });
}

/** The Opus packets of an Ogg file moved into a WebM file, as Chrome's MediaRecorder writes one. */
async function oggToWebm(ogg: Uint8Array): Promise<Buffer> {
  const input = new Input({ source: new BufferSource(ogg), formats: [OGG] });
  const track = (await input.getPrimaryAudioTrack())!;
  const output = new Output({ format: new WebMOutputFormat(), target: new BufferTarget() });
  const source = new EncodedAudioPacketSource('opus');
  output.addAudioTrack(source);
  await output.start();
  const decoderConfig = (await track.getDecoderConfig())!;
  let first = true;
  for await (const packet of new EncodedPacketSink(track).packets()) {
    await source.add(packet, first ? { decoderConfig } : undefined);
    first = false;
  }
  await output.finalize();
  return Buffer.from((output.target as BufferTarget).buffer!);
}

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

  it('a broken file declared as WAV names the accepted formats too', async () => {
    const res = await post({ 'content-type': 'audio/wav' }, Buffer.from('RIFF\x10\x00\x00\x00WAVEjunk', 'latin1'));
    expect(res.statusCode).toBe(415);
    expect(res.json().error.message).toMatch(/^Invalid WAV: .*; accepted: .*audio\/ogg/);
  });

  it('a broken Ogg or WebM file is a 415 naming the accepted formats', async () => {
    for (const [type, bytes] of [['audio/ogg', Buffer.concat([Buffer.from('OggS'), Buffer.alloc(200, 7)])], ['audio/webm', Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 1, 2, 3])]] as const) {
      const res = await post({ 'content-type': type }, bytes);
      expect(res.statusCode, type).toBe(415);
      expect(res.json().error).toMatchObject({ code: 'HM_ERR_VOICE_AUDIO' });
      expect(res.json().error.message).toMatch(/accepted: .*audio\/wav.*Opus in Ogg or WebM/);
    }
  });

  it('raw PCM still needs its rate', async () => {
    const pcm = Buffer.alloc(3_200);
    expect((await post({ 'content-type': 'application/octet-stream' }, pcm)).statusCode).toBe(415);
    expect((await post({ 'content-type': 'application/octet-stream' }, pcm, '?rate=16000')).statusCode).toBe(200);
  });

  describe.skipIf(!(hasOpusenc && hasEspeak) && !process.env.CI)('Opus as browsers record it', () => {
    const command = () => Buffer.from(writeWav(synthesizePcm('what is my balance'), 16_000));

    it('Ogg/Opus is decoded and understood, under its type or none', async () => {
      const ogg = oggOpus(command());
      expect(ogg.subarray(0, 4).toString('latin1')).toBe('OggS');
      const typed = await post({ 'content-type': 'audio/ogg; codecs=opus' }, ogg);
      expect(typed.statusCode).toBe(200);
      expect(typed.json()).toMatchObject({ text: 'what is my balance', intent: 'CheckBalance' });
      const untyped = await t.app.inject({ method: 'POST', url: '/v1/speech-to-intent', headers: auth, payload: ogg });
      expect(untyped.json()).toMatchObject({ intent: 'CheckBalance' });
    });

    it('WebM/Opus (what Chrome and Firefox MediaRecorder produce) is decoded and understood', async () => {
      const webm = await oggToWebm(oggOpus(command()));
      expect([...webm.subarray(0, 4)]).toEqual([0x1a, 0x45, 0xdf, 0xa3]);
      const res = await post({ 'content-type': 'audio/webm;codecs=opus' }, webm);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ text: 'what is my balance', intent: 'CheckBalance' });
    });

    it('more than MAX_UTTERANCE_S of Opus is a 413 before it is decoded', async () => {
      const long = Buffer.from(writeWav(new Int16Array(16 * 16_000).map((_, i) => Math.round(Math.sin(i / 9) * 3_000)), 16_000));
      const res = await post({ 'content-type': 'audio/ogg' }, oggOpus(long));
      expect(res.statusCode).toBe(413);
      expect(res.json().error.code).toBe('HM_ERR_REQUEST_TOO_LARGE');
    });
  });
});
