import { describe, expect, it } from 'vitest';
import { Errors } from '../../src/errors.js';
import { InputConditioner, LevelSpread } from '../../src/speech/conditioning.js';
import { needsFinalPass } from '../../src/speech/decoder-session.js';
import { DEFAULT_FINAL_PASS_SKIP } from '../../src/speech/recognizer-settings.js';
import { SpeechError, SPEECH_ERROR_CODES } from '../../src/speech/errors.js';
import { GARBAGE_PREFIX, isGarbageWord, withGarbageLoop } from '../../src/speech/grammar-tools.js';
import { float32ToPcm16 } from '../../src/speech/pcm.js';
import { ESPEAK_MISSING, hasEspeak, makeNoise, mixAtSnr, synthesize, tone } from '../helpers/audio.js';
import { skipWithout } from '../helpers/skip.js';

const rmsDb = (x: Float32Array): number => 10 * Math.log10(x.reduce((s, v) => s + v * v, 0) / x.length);

describe('input conditioning', () => {
  it('turns digital silence into a quiet, steady noise floor', () => {
    const c = new InputConditioner({ sampleRate: 16_000 });
    const out = c.process(new Int16Array(16_000));
    expect(rmsDb(out)).toBeGreaterThan(-70);
    expect(rmsDb(out)).toBeLessThan(-55);
  });

  it('brings loud and quiet speech to the same level', () => {
    const levels = [0.9, 0.02].map((amplitude) => {
      const c = new InputConditioner({ sampleRate: 16_000 });
      // Speech-like: 300 ms bursts with pauses (a steady sound is treated as the room, not speech).
      const pcm = float32ToPcm16(tone(300, 6, 16_000, amplitude).map((v, i) => (i % 8000 < 4800 ? v : 0)));
      let last: Float32Array = new Float32Array(0);
      for (let i = 0; i < pcm.length; i += 1600) {
        const out = c.process(pcm.subarray(i, i + 1600));
        if (i % 8000 === 1600) last = out;
      }
      return rmsDb(last);
    });
    expect(Math.abs(levels[0] - levels[1]), levels.join(" ")).toBeLessThan(3);
    expect(levels[0]).toBeGreaterThan(-30);
    expect(levels[0]).toBeLessThan(-22);
  });

  it('is deterministic', () => {
    const a = new InputConditioner({ sampleRate: 16_000 }).process(new Int16Array(800));
    const b = new InputConditioner({ sampleRate: 16_000 }).process(new Int16Array(800));
    expect(a).toEqual(b);
  });
});

describe.skipIf(skipWithout(!hasEspeak && ESPEAK_MISSING))(`level spread of an utterance${hasEspeak ? '' : ` — ${ESPEAK_MISSING}`}`, () => {
  /** The spread of a command as the decoder gets it: conditioned in 100 ms chunks. */
  const spreadOf = (audio: Float32Array): number => {
    const conditioner = new InputConditioner({ sampleRate: 16_000 });
    const levels = new LevelSpread(16_000);
    const pcm = float32ToPcm16(audio);
    for (let i = 0; i < pcm.length; i += 1600) levels.push(conditioner.process(pcm.subarray(i, i + 1600)));
    return levels.spreadDb();
  };
  const commands = ['what is my balance', 'buy the neon dragon chip', 'how were my sales this week'];

  it('tells a quiet room from speech in noise at 20 dB', () => {
    for (const [i, text] of commands.entries()) {
      const clean = synthesize(text, { voice: i % 2 ? 'en-gb' : 'en-us' });
      const quiet = spreadOf(clean);
      expect(quiet, text).toBeGreaterThanOrEqual(DEFAULT_FINAL_PASS_SKIP.quietSpreadDb);
      for (const kind of ['fan', 'babble', 'kitchen'] as const) {
        const noisy = spreadOf(mixAtSnr(clean, makeNoise(kind, clean.length, 16_000, 3 + i), 20, 16_000));
        expect(noisy, `${text} in ${kind}`).toBeLessThan(DEFAULT_FINAL_PASS_SKIP.quietSpreadDb);
      }
    }
  });

  it('tells speech that has begun from the quiet room before it', () => {
    const conditioner = new InputConditioner({ sampleRate: 16_000 });
    const levels = new LevelSpread(16_000);
    // A second of digital silence (the conditioner's noise floor), then a command.
    levels.push(conditioner.process(new Int16Array(16_000)));
    expect(levels.peakDb()).toBeLessThan(12);
    const speech = float32ToPcm16(synthesize('what is my balance'));
    for (let i = 0; i < speech.length; i += 1600) levels.push(conditioner.process(speech.subarray(i, i + 1600)));
    expect(levels.peakDb()).toBeGreaterThan(30);
  });

  it('starts again for each utterance', () => {
    const levels = new LevelSpread(16_000);
    levels.push(synthesize('what is my balance'));
    expect(levels.spreadDb()).toBeGreaterThan(20);
    levels.reset();
    expect(levels.spreadDb()).toBe(0);
  });
});

describe('when the final pass runs', () => {
  const skip = { confidence: 0.8, quietSpreadDb: 25 };
  it('not for a clear command in a quiet room', () => {
    expect(needsFinalPass({ text: 'what is my balance', confidence: 0.9 }, 30, skip)).toBe(false);
  });
  it('for an empty, unsure or garbage result, or in noise', () => {
    expect(needsFinalPass({ text: '', confidence: 0 }, 30, skip)).toBe(true);
    expect(needsFinalPass({ text: 'what is my balance', confidence: 0.7 }, 30, skip)).toBe(true);
    expect(needsFinalPass({ text: 'what is my balance', confidence: 0.9 }, 18, skip)).toBe(true);
    expect(needsFinalPass({ text: `buy the ${GARBAGE_PREFIX}ah`, confidence: 0.95 }, 30, skip)).toBe(true);
  });
});

describe('grammar rewrite', () => {
  const jsgf = '#JSGF V1.0;\ngrammar t;\npublic <command> = buy <thing> | stop;\n<thing> = tea | coffee;\n';

  it('puts a garbage phone loop beside the commands, under one public rule', () => {
    const out = withGarbageLoop(jsgf, { phoneWeight: 0.01, entryWeight: 0.001 });
    expect(out.match(/^public /gm)).toHaveLength(1);
    expect(out).toContain('public <hm_utterance> = /1/ ( <command> ) | /0.001/ <hm_garbage>;');
    expect(out).toContain('<hm_garbage> = <hm_garbage_unit>+;');
    expect(isGarbageWord('hmgarbageaa')).toBe(true);
    expect(isGarbageWord('buy')).toBe(false);
  });
});

describe('speech errors', () => {
  it('come from the project catalog', () => {
    for (const code of SPEECH_ERROR_CODES) {
      const entry = Object.values(Errors).find((e) => e.code === code);
      expect(entry, code).toBeDefined();
      expect(new SpeechError(code, 'x').statusCode).toBe(entry?.statusCode);
    }
  });
});
