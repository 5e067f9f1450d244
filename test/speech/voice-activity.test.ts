import { describe, expect, it } from 'vitest';
import { concatSamples, float32ToPcm16 } from '../../src/speech/pcm.js';
import { measureVoiceActivity, VoiceActivityDetector } from '../../src/speech/voice-activity.js';
import { ESPEAK_MISSING, hasEspeak, hasSox, makeNoise, SOX_MISSING, soxNoise, synthesize, synthesizePcm } from '../helpers/audio.js';
import { skipWithout } from '../helpers/skip.js';

const RATE = 16_000;
const silence = (seconds: number) => new Int16Array(Math.round(seconds * RATE));

const noSox = skipWithout(!hasSox && SOX_MISSING);
const noEspeak = skipWithout(!hasEspeak && ESPEAK_MISSING);

describe('voice-activity detector', () => {
  it('finds no speech in digital silence', async () => {
    expect(await measureVoiceActivity(silence(2), { sampleRate: RATE })).toMatchObject({ voicedSeconds: 0, hasSpeech: false });
  });

  it.skipIf(noSox)('finds no speech in quiet white, pink and brown noise, alone or starting after silence', async () => {
    for (const kind of ['white', 'pink', 'brown'] as const) {
      for (const volume of [0.02, 0.1]) {
        const noise = soxNoise(kind, 2, volume);
        expect((await measureVoiceActivity(noise, { sampleRate: RATE })).hasSpeech, `${kind} ${volume}`).toBe(false);
        // A noise that has just started is voice to the WebRTC VAD for a second or more: the
        // prominence test is what keeps it out.
        const onset = await measureVoiceActivity(new Int16Array([...silence(1), ...noise]), { sampleRate: RATE });
        expect(onset.hasSpeech, `${kind} ${volume} after silence (voiced ${onset.voicedSeconds} s)`).toBe(false);
      }
    }
  });

  it('finds no speech in clicks, clatter or a hum', async () => {
    const clatter = float32ToPcm16(makeNoise('clatter', 2 * RATE, RATE, 3));
    const hum = float32ToPcm16(Float32Array.from({ length: 2 * RATE }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 50 * i) / RATE)));
    expect((await measureVoiceActivity(clatter, { sampleRate: RATE })).hasSpeech).toBe(false);
    expect((await measureVoiceActivity(hum, { sampleRate: RATE })).hasSpeech).toBe(false);
  });

  it.skipIf(noEspeak)('finds speech in a command and in a single short word, at 16 and 8 kHz', async () => {
    for (const said of ['what is my balance', 'yes', 'no', 'okay']) {
      const activity = await measureVoiceActivity(synthesizePcm(said), { sampleRate: RATE });
      expect(activity.hasSpeech, `${said}: ${JSON.stringify(activity)}`).toBe(true);
    }
    expect((await measureVoiceActivity(synthesizePcm('yes', { sampleRate: 8_000 }), { sampleRate: 8_000 })).hasSpeech).toBe(true);
  });

  it.skipIf(noEspeak)('finds speech in a command mixed with steady noise from the first sample', async () => {
    const speech = synthesize('buy the paper crane chip', { padSeconds: 0.5 });
    const noise = makeNoise('white', speech.length, RATE, 9).map((v) => v * 0.02);
    const mixed = float32ToPcm16(speech.map((v, i) => v + noise[i]!));
    expect((await measureVoiceActivity(mixed, { sampleRate: RATE })).hasSpeech).toBe(true);
  });

  it.skipIf(noEspeak)('counts each utterance on its own: the silence after a command holds no speech', async () => {
    const detector = await VoiceActivityDetector.create({ sampleRate: RATE });
    try {
      detector.push(synthesizePcm('what is my balance'));
      expect(detector.activity.hasSpeech).toBe(true);
      detector.startUtterance();
      detector.push(float32ToPcm16(concatSamples(new Float32Array(RATE), new Float32Array(RATE))));
      expect(detector.activity).toMatchObject({ voicedSeconds: 0, hasSpeech: false });
    } finally {
      detector.close();
    }
  });

  it('refuses a rate the WebRTC VAD cannot work at', async () => {
    await expect(VoiceActivityDetector.create({ sampleRate: 22_050 })).rejects.toThrow();
  });
});
