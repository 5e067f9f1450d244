import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSpeechGrammar, createSpeechEngine, type RecognitionGrammar, type StartedSpeechEngine } from '../../src/speech/index.js';
import { DEMO_LISTS } from '../../src/demo/catalog.js';
import { loadIntentSet } from '../../src/load-intents.js';
import { createIntentEngine } from '../../src/nlu/index.js';
import { VoiceSession } from '../../src/ws/voice-session.js';
import type { CommandResult } from '../../src/assistant/index.js';
import { grammarFromPhrases } from '../../src/ws/phrase-grammar.js';
import type { Transcript } from '../../src/contracts.js';
import { concatSamples } from '../../src/speech/pcm.js';
import { ESPEAK_MISSING, hasEspeak, makeNoise, mixAtSnr, synthesize } from '../helpers/audio.js';
import { skipWithout } from '../helpers/skip.js';

const RATE = 16_000;

/** The protocol state machine with the real decoder, driven frame by frame like a socket would. */
describe('voice session protocol', () => {
  let engine: StartedSpeechEngine;
  const grammar = grammarFromPhrases(['what is my balance', 'buy the neon dragon chip']);

  beforeAll(async () => {
    engine = await createSpeechEngine({ engine: 'soundswallower', cacheDir: await mkdtemp(join(tmpdir(), 'hm-ws-')), workers: 1 });
  }, 120_000);
  afterAll(async () => { await engine?.close(); });

  function open(options: { anonymous?: boolean; grammar?: RecognitionGrammar } = {}) {
    const frames: Record<string, unknown>[] = [];
    const commands: Transcript[] = [];
    let closed: { code: number; reason: string } | null = null;
    const session = new VoiceSession({
      engine,
      grammar: async () => options.grammar ?? grammar,
      runCommand: options.anonymous ? null : async (transcript, ids): Promise<CommandResult> => {
        commands.push(transcript);
        return {
          commandId: ids.commandId ?? randomUUID(),
          understanding: { text: transcript.text, intent: transcript.text ? 'CheckBalance' : null, confidence: 1, slots: {} },
          reply: { text: 'You have 500 credits.', ssml: '<speak>You have 500 credits.</speak>' },
          outcome: 'ok',
        };
      },
      send: (f) => frames.push(f),
      close: (code, reason) => { closed = { code, reason }; },
    });
    return { session, frames, commands, closed: () => closed };
  }

  const silence = (seconds: number, rate = 16_000) => new Uint8Array(Math.round(seconds * rate) * 2);

  it('answers garbage text frames with an error frame and keeps going', async () => {
    const s = open();
    s.session.onText('{not json');
    s.session.onText('[1,2]');
    s.session.onText('{"hello": 1}');
    s.session.onText('{"config": {"sample_rate": 12345}}');
    s.session.onText('{"config": {"words": "false"}}');
    s.session.onText('{"config": {"phrase_list": "buy"}}');
    s.session.onText('{"config": {"phrase_list": ["?!"]}}');
    await s.session.drained();
    expect(s.frames.map((f) => f.code)).toEqual([
      'HM_ERR_VOICE_PROTOCOL', 'HM_ERR_VOICE_PROTOCOL', 'HM_ERR_VOICE_PROTOCOL', 'HM_ERR_VOICE_AUDIO',
      'HM_ERR_VOICE_PROTOCOL', 'HM_ERR_VOICE_PROTOCOL', 'HM_ERR_VOICE_PROTOCOL',
    ]);
    expect(s.frames.every((f) => f.type === 'error' && typeof f.message === 'string')).toBe(true);
    expect(s.closed()).toBeNull();
    await s.session.dispose();
  });

  it('accepts audio before any config (8 kHz, as vosk-server), odd byte counts, and answers one reply per frame', async () => {
    const s = open();
    const frames = [silence(0.2, 8_000), new Uint8Array(1601), new Uint8Array(1), silence(0.2, 8_000)];
    for (const f of frames) s.session.onBinary(f);
    await s.session.drained();
    expect(s.frames).toHaveLength(frames.length);
    expect(s.frames.every((f) => typeof f.partial === 'string')).toBe(true);
    await s.session.dispose();
  });

  it('"eof" with any spacing gives a final result then closes; silence runs no command', async () => {
    const s = open();
    s.session.onText('{"config": {"sample_rate": 8000}}');
    s.session.onBinary(silence(0.5, 8_000));
    s.session.onText('{"eof"   :   1}');
    await s.session.drained();
    const final = s.frames.at(-1)!;
    expect(final).toMatchObject({ text: '' });
    expect(final.intent).toBeUndefined();
    expect(s.commands).toHaveLength(0);
    expect(s.closed()).toEqual({ code: 1000, reason: 'eof' });
  });

  describe.skipIf(skipWithout(!hasEspeak && ESPEAK_MISSING))(`commands in a room that goes on${hasEspeak ? '' : ` — ${ESPEAK_MISSING}`}`, () => {
    it('ends each command once and decodes it whole, the second as well as the first', async () => {
      const set = await loadIntentSet();
      const commands = buildSpeechGrammar(set, DEMO_LISTS);
      const s = open({ grammar: commands });
      const said = ['subscribe to mira okafor', 'buy the neon dragon chip', 'rate kenji sato four stars'];
      const spoken = said.map((text) => synthesize(text, { padSeconds: 0 }));
      const gap = 2 * RATE;
      const speech = concatSamples(new Float32Array(RATE), ...spoken.flatMap((command) => [command, new Float32Array(gap)]));
      // Steady hiss 20 dB under the voice, from before the first command to after the last.
      const room = mixAtSnr(speech, makeNoise('pink', speech.length, RATE, 4), 20, RATE);
      const pcm = Int16Array.from(room, (v) => Math.max(-32768, Math.min(32767, Math.round(v * 32767))));
      s.session.onText(JSON.stringify({ config: { sample_rate: RATE } }));
      for (let i = 0; i < pcm.length; i += RATE / 10) {
        const frame = pcm.slice(i, i + RATE / 10);
        s.session.onBinary(new Uint8Array(frame.buffer));
        await s.session.drained();
      }
      const finals = s.frames.map((f) => f.text).filter((t): t is string => typeof t === 'string' && t !== '');
      // One final per command, each the command's own intent: none cut, merged, or decoded from its last second.
      const nlu = createIntentEngine(set);
      const intents = (texts: readonly string[]) => texts.map((text) => nlu.recognize(text, DEMO_LISTS).intent);
      expect(finals).toHaveLength(said.length);
      expect(intents(finals)).toEqual(intents(said));
      await s.session.dispose();
    }, 180_000);
  });

  it('"reset" gives a final result and stays open for the next utterance', async () => {
    const s = open();
    s.session.onBinary(silence(0.3));
    s.session.onText('{ "reset" : 1 }');
    s.session.onBinary(silence(0.3));
    await s.session.drained();
    expect(s.frames.map((f) => ('partial' in f ? 'partial' : 'text' in f ? 'final' : 'other'))).toEqual(['partial', 'final', 'partial']);
    expect(s.closed()).toBeNull();
    await s.session.dispose();
  });

  it('answers no config frame with a reply of its own: max_alternatives 20, or a config after the audio began', async () => {
    const s = open();
    s.session.onText('{"config" : { "max_alternatives" : 20, "sample_rate" : 16000 } }');
    s.session.onBinary(silence(0.2));
    s.session.onText('{"config": {"max_alternatives": 0, "words": false}}');
    s.session.onBinary(silence(0.2));
    s.session.onText('{"reset" : 1}');
    await s.session.drained();
    expect(s.frames.map((f) => Object.keys(f).filter((k) => k === 'partial' || k === 'alternatives' || k === 'type'))).toEqual([['partial'], ['partial'], ['alternatives']]);
    // The late config applies from the next stream on: no alternatives now.
    s.session.onBinary(silence(0.2));
    s.session.onText('{"reset" : 1}');
    await s.session.drained();
    expect(s.frames.at(-1)).not.toHaveProperty('alternatives');
    await s.session.dispose();
  });

  it('says an utterance was cut at the longest length in its final result, not in a frame of its own', async () => {
    const frames: Record<string, unknown>[] = [];
    const session = new VoiceSession({
      engine, grammar: async () => grammar, runCommand: null, send: (f) => frames.push(f), close: () => {},
      limits: { maxUtteranceMs: 1_000 },
    });
    session.onText('{"config": {"sample_rate": 16000}}');
    // Quiet, then a loud tone: speech to the endpointer, which never hears it end.
    const tone = new Int16Array(16_000 * 2.5).map((_, i) => (i < 8_000 ? 0 : Math.round(8_000 * Math.sin((2 * Math.PI * 220 * i) / 16_000))));
    const bytes = new Uint8Array(tone.buffer);
    let sent = 0;
    for (let i = 0; i < bytes.length; i += 6_400, sent++) session.onBinary(bytes.subarray(i, i + 6_400));
    await session.drained();
    expect(frames).toHaveLength(sent);
    expect(frames.filter((f) => f.type === 'error')).toEqual([]);
    expect(frames.find((f) => 'cutOff' in f)).toMatchObject({ cutOff: { maxUtteranceS: 1 } });
    await session.dispose();
  });

  it('runs text commands for a signed-in user and refuses them anonymously', async () => {
    const signedIn = open();
    signedIn.session.onText(JSON.stringify({ type: 'text', text: "what's my balance" }));
    signedIn.session.onText(JSON.stringify({ type: 'text', text: '' }));
    await signedIn.session.drained();
    expect(signedIn.frames[0]).toMatchObject({ type: 'reply', intent: 'CheckBalance', reply: { text: 'You have 500 credits.' }, outcome: 'ok' });
    expect(signedIn.frames[1]).toMatchObject({ type: 'error', code: 'HM_ERR_VOICE_PROTOCOL' });
    expect(signedIn.commands[0]).toMatchObject({ source: 'text', text: "what's my balance", confidence: 1 });

    const anonymous = open({ anonymous: true });
    anonymous.session.onText(JSON.stringify({ type: 'text', text: "what's my balance" }));
    await anonymous.session.drained();
    expect(anonymous.frames[0]).toMatchObject({ type: 'error', code: 'HM_ERR_AUTH_REQUIRED' });
    await signedIn.session.dispose();
    await anonymous.session.dispose();
  });

  it('holds messages until the connection is admitted, and drops them when it is not', async () => {
    for (const admit of [true, false]) {
      const frames: Record<string, unknown>[] = [];
      const commands: string[] = [];
      let settle: (ok: boolean) => void = () => {};
      const session = new VoiceSession({
        engine, grammar: async () => grammar, send: (f) => frames.push(f), close: () => {},
        runCommand: async (transcript, ids) => {
          commands.push(transcript.text);
          return { commandId: ids.commandId ?? randomUUID(), understanding: { text: transcript.text, intent: 'CheckBalance', confidence: 1, slots: {} }, reply: { text: 'ok', ssml: '<speak>ok</speak>' }, outcome: 'ok' };
        },
        admitted: new Promise<boolean>((resolve) => { settle = resolve; }),
      });
      session.onText(JSON.stringify({ type: 'text', text: "what's my balance" }));
      session.onBinary(silence(0.2, 8_000));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(frames).toEqual([]);
      settle(admit);
      await session.drained();
      expect(commands).toEqual(admit ? ["what's my balance"] : []);
      expect(frames.map((f) => (f.type === 'reply' ? 'reply' : 'partial' in f ? 'partial' : 'other'))).toEqual(admit ? ['reply', 'partial'] : []);
      await session.dispose();
    }
  });

  it('refuses audio that arrives faster than a bounded backlog', async () => {
    const frames: Record<string, unknown>[] = [];
    const session = new VoiceSession({
      engine, grammar: async () => grammar, runCommand: null, send: (f) => frames.push(f), close: () => {},
      limits: { maxBacklogSeconds: 1 },
    });
    for (let i = 0; i < 10; i++) session.onBinary(silence(0.5));
    await session.drained();
    expect(frames.filter((f) => f.type === 'error').length).toBeGreaterThan(0);
    expect(frames.filter((f) => 'partial' in f).length).toBeLessThanOrEqual(3);
    await session.dispose();
  });
});
