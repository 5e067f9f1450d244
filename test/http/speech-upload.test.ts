import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { User } from '../../src/db/entities/index.js';
import type { RecognizerStream, SpeechEngine } from '../../src/speech/engine.js';
import { writeWav } from '../../src/speech/wav.js';
import { bearer, createAuthTestApp, randomIp, type AuthTestApp } from '../auth/helpers.js';

/** An engine that hears nothing and counts the audio it is sent (the decoder is not what is tested here). */
function countingEngine() {
  const heard = { streams: 0, samples: 0 };
  const engine: SpeechEngine = {
    name: 'counting/16k',
    sampleRate: 16_000,
    async openStream(): Promise<RecognizerStream> {
      heard.streams++;
      return {
        // A worker's reply arrives as a message: the event loop turns between chunks.
        async accept(pcm) { heard.samples += pcm.length; await new Promise((r) => setImmediate(r)); return { partial: '' }; },
        async finish() { return { text: '', source: 'voice', confidence: 0, engine: 'counting/16k' }; },
        async close() {},
      };
    },
    async close() {},
  };
  return { engine, heard };
}

const noise = (seconds: number, rate: number) => Int16Array.from({ length: Math.round(seconds * rate) }, () => Math.round((Math.random() - 0.5) * 2_000));

describe('POST /v1/speech-to-intent: CPU spent on an upload is bounded', () => {
  let t: AuthTestApp;
  const { engine, heard } = countingEngine();
  beforeAll(async () => {
    t = await createAuthTestApp({ speech: engine, env: { MAX_UTTERANCE_S: '15', SPEECH_UPLOAD_RATE_LIMIT_MAX: '4', SPEECH_UPLOAD_RATE_LIMIT_WINDOW_S: '60' } });
  });
  afterAll(async () => { await t?.close(); });

  const tokenOf = async (username: string) => {
    const user = await t.database.db.dataSource.getRepository(User).findOneByOrFail({ username });
    return t.tokens.issueAccessToken({ userId: user.id, username, role: user.role });
  };
  const upload = async (username: string, wav: Uint8Array) => t.app.inject({
    method: 'POST', url: '/v1/speech-to-intent', payload: Buffer.from(wav), remoteAddress: randomIp(),
    headers: { ...bearer(await tokenOf(username)), 'content-type': 'audio/wav' },
  });

  it('refuses a sample rate below 8 kHz (a 300 KB file claiming 1000 Hz is 150 s of audio) without decoding any of it', async () => {
    const before = heard.streams;
    const res = await upload('alex', writeWav(noise(150, 1_000), 1_000));
    expect(res.statusCode).toBe(415);
    expect(res.json().error.code).toBe('HM_ERR_VOICE_AUDIO');
    expect(res.json().error.message).toMatch(/^sample rate 1000 Hz is below 8000 Hz; accepted: /);
    expect(heard.streams).toBe(before);
  });

  it('refuses more than MAX_UTTERANCE_S of audio and decodes up to it', async () => {
    const before = heard.streams;
    const long = await upload('alex', writeWav(noise(15.5, 8_000), 8_000));
    expect(long.statusCode).toBe(413);
    expect(long.json().error.code).toBe('HM_ERR_REQUEST_TOO_LARGE');
    expect(heard.streams).toBe(before);
    const samples = heard.samples;
    expect((await upload('alex', writeWav(noise(15, 8_000), 8_000))).statusCode).toBe(200);
    expect(heard.samples - samples).toBeGreaterThan(15 * 16_000 - 100);
    expect(heard.samples - samples).toBeLessThan(15 * 16_000 + 100);
  });

  it('resamples without holding the event loop (15 s at 44.1 kHz)', async () => {
    const wav = writeWav(noise(15, 44_100), 44_100);
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const res = await upload('kenji', wav);
    delay.disable();
    expect(res.statusCode).toBe(200);
    // Resampled whole it held the loop ~0.4 s; a 0.1 s chunk at a time, a few ms.
    expect(delay.max / 1e6).toBeLessThan(150);
  });

  it('limits uploads per user', async () => {
    const wav = writeWav(noise(0.5, 16_000), 16_000);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await upload('sam', wav)).statusCode);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    expect((await upload('mira', wav)).statusCode).toBe(200);
  });
});
