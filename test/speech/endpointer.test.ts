import { describe, expect, it } from 'vitest';
import { Endpointer } from '../../src/speech/endpointer.js';
import type { EndpointEvent } from '../../src/speech/endpointer.js';
import { concatSamples } from '../../src/speech/pcm.js';
import { ESPEAK_MISSING, hasEspeak, makeNoise, mixAtSnr, synthesize } from '../helpers/audio.js';
import { skipWithout } from '../helpers/skip.js';

const RATE = 16_000;

function quiet(seconds: number, level = 0.002, seed = 5): Float32Array {
  const noise = makeNoise('pink', Math.round(seconds * RATE), RATE, seed);
  return noise.map((v) => v * (level / 0.1));
}

function loud(seconds: number): Float32Array {
  const out = new Float32Array(Math.round(seconds * RATE));
  for (let i = 0; i < out.length; i++) out[i] = 0.3 * Math.sin((2 * Math.PI * 300 * i) / RATE) * (1 + 0.5 * Math.sin((2 * Math.PI * 4 * i) / RATE));
  return out;
}

/** Feeds audio in 20 ms frames (as a WebSocket client would). */
function run(endpointer: Endpointer, audio: Float32Array): EndpointEvent[] {
  const events: EndpointEvent[] = [];
  for (let i = 0; i < audio.length; i += 320) events.push(...endpointer.push(audio.subarray(i, i + 320)));
  return events;
}

describe('endpointer', () => {
  it('starts on speech and ends after the trailing silence (default 600 ms)', () => {
    const ep = new Endpointer({ sampleRate: RATE });
    const events = run(ep, concatSamples(quiet(0.5), loud(1.0), quiet(1.0)));
    expect(events.map((e) => e.type)).toEqual(['speech-start', 'speech-end']);
    expect(events[0].at).toBeCloseTo(0.5, 1);
    expect(events[1].at).toBeCloseTo(1.5, 1);
    expect(events[1]).toMatchObject({ reason: 'silence' });
  });

  it('does not end during a pause shorter than the trailing silence', () => {
    const ep = new Endpointer({ sampleRate: RATE, trailingSilenceMs: 600 });
    const events = run(ep, concatSamples(quiet(0.5), loud(0.5), quiet(0.3), loud(0.5), quiet(0.2)));
    expect(events.map((e) => e.type)).toEqual(['speech-start']);
    expect(ep.inSpeech).toBe(true);
  });

  it('counts the times of the next utterance from the reset, where its decoding starts', () => {
    const ep = new Endpointer({ sampleRate: RATE });
    const first = run(ep, concatSamples(quiet(2), loud(1.0), quiet(1.0)));
    expect(first.map((e) => e.type)).toEqual(['speech-start', 'speech-end']);
    expect(first[0].at).toBeCloseTo(2, 1);
    ep.reset();
    const second = run(ep, concatSamples(quiet(0.5), loud(1.0), quiet(1.0)));
    expect(second.map((e) => e.type)).toEqual(['speech-start', 'speech-end']);
    expect(second[0].at).toBeCloseTo(0.5, 1);
    expect(second[1].at).toBeCloseTo(1.5, 1);
  });

  it('ignores a short click or clatter', () => {
    const ep = new Endpointer({ sampleRate: RATE });
    const click = loud(0.03).map((v) => v * 3);
    expect(run(ep, concatSamples(quiet(0.5), click, quiet(0.5), click, quiet(0.5)))).toEqual([]);
    expect(ep.inSpeech).toBe(false);
  });

  it('cuts an utterance at the maximum length', () => {
    const ep = new Endpointer({ sampleRate: RATE, maxUtteranceMs: 2000 });
    const events = run(ep, concatSamples(quiet(0.3), loud(3)));
    // Cut at 2 s; the audio goes on, so a new utterance may start right after.
    expect(events.map((e) => e.type).slice(0, 2)).toEqual(['speech-start', 'speech-end']);
    expect(events[1]).toMatchObject({ reason: 'max-length' });
    expect(events[1].at - events[0].at).toBeCloseTo(2, 1);
  });

  it('adapts to a steady noise floor (a fan starting is not speech)', () => {
    const ep = new Endpointer({ sampleRate: RATE });
    const fan = quiet(3, 0.05, 9);
    const events = run(ep, concatSamples(quiet(0.5), fan));
    // At most one short false start, and it must end again: the floor rises to the fan.
    expect(ep.inSpeech).toBe(false);
    expect(events.filter((e) => e.type === 'speech-start').length).toBeLessThanOrEqual(1);
  });

  it('ends speech that never falls silent once the hypothesis stops changing', () => {
    // Loud noise right after the command: the level alone would hold the utterance open.
    const ep = new Endpointer({ sampleRate: RATE, stableHypothesisMs: 1000 });
    const events: EndpointEvent[] = [];
    const audio = concatSamples(quiet(0.3), loud(4));
    const words = ['buy', 'buy the', 'buy the neon dragon'];
    for (let i = 0; i < audio.length; i += 320) {
      events.push(...ep.push(audio.subarray(i, i + 320)));
      // A new word every 0.5 s of speech, then nothing new.
      const t = i / RATE - 0.3;
      events.push(...ep.hypothesis(t < 0 ? '' : words[Math.min(words.length - 1, Math.floor(t / 0.5))]));
    }
    const end = events.find((e) => e.type === 'speech-end');
    expect(end).toMatchObject({ reason: 'stable-hypothesis' });
    // The last word arrived at ~1.3 s; the end is declared where it was heard, 1 s of stability later.
    expect(end!.at).toBeCloseTo(1.3, 1);
    expect(ep.inSpeech).toBe(false);
  });

  it('does not end on a stable hypothesis outside speech, or on an empty one', () => {
    const ep = new Endpointer({ sampleRate: RATE, stableHypothesisMs: 500 });
    const events: EndpointEvent[] = [];
    const audio = concatSamples(quiet(2), loud(2));
    for (let i = 0; i < audio.length; i += 320) {
      events.push(...ep.push(audio.subarray(i, i + 320)));
      events.push(...ep.hypothesis(i < 2 * RATE ? 'what is my balance' : ''));
    }
    expect(events.map((e) => e.type)).toEqual(['speech-start']);
  });

  describe.skipIf(skipWithout(!hasEspeak && ESPEAK_MISSING))(`on spoken commands${hasEspeak ? '' : ` — ${ESPEAK_MISSING}`}`, () => {
    it('finds one utterance in a command spoken over pink noise at 20 dB', () => {
      const speech = concatSamples(new Float32Array(RATE / 2), synthesize('subscribe to kenji sato'), new Float32Array(RATE));
      const noisy = mixAtSnr(speech, makeNoise('pink', speech.length, RATE, 3), 20, RATE);
      const events = run(new Endpointer({ sampleRate: RATE }), noisy);
      expect(events.map((e) => e.type)).toEqual(['speech-start', 'speech-end']);
    });
  });
});
