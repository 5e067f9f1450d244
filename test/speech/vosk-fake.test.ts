import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Koffi from 'koffi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecognitionGrammar } from '../../src/speech/engine.js';
import { float32ToPcm16 } from '../../src/speech/pcm.js';
import { startVoskEngine, type StartedVoskEngine } from '../../src/speech/vosk-engine.js';
import WebSocket from 'ws';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { ESPEAK_MISSING, hasEspeak, synthesize } from '../helpers/audio.js';
import { skipWithout } from '../helpers/skip.js';

/**
 * The vosk engine's decoding path end to end — worker threads, binding, result parsing — against
 * a fake libvosk (test/fixtures/fake-libvosk.c) compiled here and named by VOSK_LIBRARY_PATH: no
 * real model can be downloaded in CI. The fake hears one word of the model's `transcript` file
 * per half second of non-zero audio, and ends an utterance on an all-zero chunk.
 */

const SOURCE = fileURLToPath(new URL('../fixtures/fake-libvosk.c', import.meta.url));
const CC = process.env.CC ?? 'cc';
const scratch = mkdtempSync(join(tmpdir(), 'holomesh-fake-vosk-'));
const library = join(scratch, 'libvosk.so');
const ccMissing = spawnSync(CC, ['--version']).status === 0 ? '' : `no C compiler (${CC}) to build the fake libvosk: the vosk engine tests skipped`;
const skip = skipWithout(ccMissing);

const HALF_SECOND = 8_000;
const voiced = (samples = HALF_SECOND) => new Int16Array(samples).fill(1_000);
const pause = (samples = HALF_SECOND) => new Int16Array(samples);

function grammar(phrases: string[]): RecognitionGrammar {
  return { jsgf: '', phrases, words: [...new Set(phrases.flatMap((p) => p.split(' ')))], version: phrases.join('|') };
}

/** A model folder the fake reads: one "word confidence" per line. */
function model(name: string, transcript: [string, number][]): string {
  const dir = join(scratch, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'transcript'), transcript.map(([w, c]) => `${w} ${c}`).join('\n') + '\n');
  return dir;
}

interface Fake {
  count(name: string): number;
  lastGrammar(): string;
  lastMaxAlternatives(): number;
  modelsFreedInUse(): number;
}

let fake: Fake;
const savedLibrary = process.env.VOSK_LIBRARY_PATH;

beforeAll(() => {
  if (skip) return;
  const cc = spawnSync(CC, ['-shared', '-fPIC', '-O1', '-o', library, SOURCE, '-lpthread'], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`${CC} could not build the fake libvosk: ${cc.stderr}`);
  // Read by loadVosk here and in the engine's worker threads (they copy the environment at start).
  process.env.VOSK_LIBRARY_PATH = library;
  const koffi = createRequire(import.meta.url)('koffi') as typeof Koffi;
  const lib = koffi.load(library);
  const count = lib.func('fake_vosk_count', 'int', ['str']) as (name: string) => number;
  fake = {
    count,
    lastGrammar: lib.func('fake_vosk_last_grammar', 'str', []) as () => string,
    lastMaxAlternatives: lib.func('fake_vosk_last_max_alternatives', 'int', []) as () => number,
    modelsFreedInUse: lib.func('fake_vosk_models_freed_in_use', 'int', []) as () => number,
  };
});

afterAll(() => {
  if (savedLibrary === undefined) delete process.env.VOSK_LIBRARY_PATH;
  else process.env.VOSK_LIBRARY_PATH = savedLibrary;
  rmSync(scratch, { recursive: true, force: true });
});

describe.skipIf(skip)('the vosk engine on a fake libvosk', () => {
  let engine: StartedVoskEngine;
  let modelPath: string;

  beforeAll(async () => {
    modelPath = model('vosk-model-fake', [['show', 0.9], ['chips', 0.8], ['please', 0.5], ['by', 1], ['ada', 0.7]]);
    engine = await startVoskEngine({ engine: 'vosk', voskModelPath: modelPath, workers: 1 });
  });
  afterAll(() => engine?.close());

  it('loads the library VOSK_LIBRARY_PATH names and the model in its worker', () => {
    expect(engine).toMatchObject({ name: 'vosk/vosk-model-fake', sampleRate: 16_000, size: 1 });
    expect(fake.count('vosk_model_new')).toBe(1);
    expect(fake.count('vosk_set_log_level')).toBe(1);
  });

  it('streams partials, joins the utterances Vosk ends itself and gives a final with words and confidence', async () => {
    const stream = await engine.openStream(grammar(['show chips', 'by ada', 'show chips by ada']));
    try {
      expect(JSON.parse(fake.lastGrammar())).toEqual(['show chips', 'by ada', 'show chips by ada', '[unk]']);
      expect(fake.count('vosk_recognizer_set_words')).toBe(1);
      const partials: string[] = [];
      // "please" is in no phrase: the fake hears "[unk]", which the engine drops.
      for (const chunk of [voiced(), voiced(), voiced(), pause(), voiced(), voiced()]) partials.push((await stream.accept(chunk)).partial);
      expect(partials).toEqual(['show', 'show chips', 'show chips', 'show chips', 'show chips by', 'show chips by ada']);
      const t = await stream.finish();
      expect(t).toMatchObject({ text: 'show chips by ada', source: 'voice', engine: 'vosk/vosk-model-fake', confidence: 0.85 });
      // The second utterance began after 2 s of audio (1.5 s voiced, 0.5 s pause): its times are shifted.
      expect(t.words).toEqual([
        { word: 'show', start: 0, end: 0.4, conf: 0.9 },
        { word: 'chips', start: 0.5, end: 0.9, conf: 0.8 },
        { word: 'by', start: 2, end: 2.4, conf: 1 },
        { word: 'ada', start: 2.5, end: 2.9, conf: 0.7 },
      ]);
      expect(t.alternatives).toEqual([{ text: 'show chips by ada', confidence: 0.85 }]);
    } finally {
      await stream.close();
    }
  });

  it('resets the recogniser after a final: the next utterance starts again at time 0', async () => {
    const stream = await engine.openStream(grammar(['show chips']));
    try {
      const resets = fake.count('vosk_recognizer_reset');
      await stream.accept(voiced(2 * HALF_SECOND));
      expect((await stream.finish()).text).toBe('show chips');
      expect(fake.count('vosk_recognizer_reset')).toBe(resets + 1);
      await stream.accept(voiced());
      const again = await stream.finish();
      expect(again).toMatchObject({ text: 'show', words: [{ word: 'show', start: 0, end: 0.4, conf: 0.9 }] });
      // Only a pause: nothing heard, confidence 0.
      await stream.accept(pause());
      expect(await stream.finish()).toMatchObject({ text: '', confidence: 0, words: [] });
    } finally {
      await stream.close();
    }
  });

  it('without phrases decodes free dictation (no grammar), keeping every word', async () => {
    const grm = fake.count('vosk_recognizer_new_grm');
    const plain = fake.count('vosk_recognizer_new');
    const stream = await engine.openStream(grammar([' ', '']));
    try {
      expect(fake.count('vosk_recognizer_new')).toBe(plain + 1);
      expect(fake.count('vosk_recognizer_new_grm')).toBe(grm);
      await stream.accept(voiced(3 * HALF_SECOND));
      expect((await stream.finish()).text).toBe('show chips please');
    } finally {
      await stream.close();
    }
  });

  it('frees a stream\'s recogniser when the stream closes, once', async () => {
    const freed = fake.count('vosk_recognizer_free');
    const streams = await Promise.all([engine.openStream(grammar(['show'])), engine.openStream(grammar(['ada']))]);
    await Promise.all(streams.map((s) => s.close()));
    await streams[0]!.close();
    expect(fake.count('vosk_recognizer_free')).toBe(freed + 2);
    await expect(streams[0]!.accept(voiced())).rejects.toMatchObject({ code: 'HM_ERR_SPEECH_STREAM_CLOSED' });
  });

  it('on close frees the recognisers of streams still open, then each worker\'s model, once; then refuses work', async () => {
    const closing = await startVoskEngine({ engine: 'vosk', voskModelPath: modelPath, workers: 2 });
    const models = fake.count('vosk_model_free');
    const recognizers = fake.count('vosk_recognizer_free');
    const open = await closing.openStream(grammar(['show chips']));
    await open.accept(voiced());
    await Promise.all([closing.close(), closing.close()]);
    await closing.close();
    expect(fake.count('vosk_model_free')).toBe(models + 2);
    expect(fake.count('vosk_recognizer_free')).toBe(recognizers + 1);
    expect(fake.modelsFreedInUse()).toBe(0);
    const closed = { code: 'HM_ERR_SPEECH_ENGINE_UNAVAILABLE', message: 'The speech engine is closed' };
    await expect(open.accept(voiced())).rejects.toMatchObject(closed);
    await expect(closing.openStream(grammar(['show']))).rejects.toMatchObject(closed);
    await open.close();
    expect(fake.count('vosk_recognizer_free')).toBe(recognizers + 1);
  });

  it('gives the configured number of N-best alternatives, best first, scores normalised to 0..1', async () => {
    const nbest = await startVoskEngine({ engine: 'vosk', voskModelPath: modelPath, workers: 1, voskMaxAlternatives: 3 });
    try {
      const stream = await nbest.openStream(grammar(['show chips please']));
      expect(fake.lastMaxAlternatives()).toBe(3);
      await stream.accept(voiced(3 * HALF_SECOND));
      const t = await stream.finish();
      await stream.close();
      expect(t.text).toBe('show chips please');
      expect(t.alternatives?.map((a) => a.text)).toEqual(['show chips please', 'show chips', 'show']);
      const confidences = t.alternatives!.map((a) => a.confidence);
      expect(confidences[0]).toBe(t.confidence);
      expect([...confidences].sort((a, b) => b - a)).toEqual(confidences);
      expect(confidences.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
      // N-best has no per-word confidence: each word carries the utterance's.
      expect(t.words?.map((w) => [w.word, w.conf])).toEqual([['show', t.confidence], ['chips', t.confidence], ['please', t.confidence]]);
    } finally {
      await nbest.close();
    }
  });
});

// The voice session passes partials on only once WebRTC's voice-activity detector hears speech: real (synthesized) speech.
describe.skipIf(skip || skipWithout(!hasEspeak && ESPEAK_MISSING))('/v1/voice with ASR_ENGINE=vosk on the fake libvosk', () => {
  let t: TestApp;
  let url: string;

  beforeAll(async () => {
    const modelPath = model('vosk-model-voice', [['follow', 0.9], ['the', 0.8], ['designer', 0.7]]);
    t = await createTestApp({ ALLOW_ANONYMOUS_TRANSCRIBE: 'true', ASR_ENGINE: 'vosk', VOSK_MODEL_PATH: modelPath }, { speech: true });
    url = (await t.app.listen({ host: '127.0.0.1', port: 0 })).replace(/^http/, 'ws');
  });
  afterAll(() => t?.close());

  it('answers each audio frame with a partial and gives the final with words and confidence', async () => {
    const socket = new WebSocket(`${url}/v1/voice`);
    const replies: Record<string, unknown>[] = [];
    let wake: (() => void) | null = null;
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      replies.push(JSON.parse(data.toString()) as Record<string, unknown>);
      wake?.();
    });
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const replyCount = async (n: number) => {
      while (replies.length < n) await new Promise<void>((resolve) => { wake = resolve; });
    };
    socket.send('{ "config" : { "sample_rate" : 16000 } }');
    // Over 1.5 s of speech: the fake hears all three words; 0.5 s frames, one reply each.
    const audio = float32ToPcm16(synthesize('follow the designer aria chen, follow the designer aria chen', { sampleRate: 16_000, padSeconds: 0 }));
    expect(audio.length).toBeGreaterThan(3 * HALF_SECOND);
    let frames = 0;
    for (let at = 0; at < audio.length; at += HALF_SECOND) {
      socket.send(Buffer.from(audio.slice(at, at + HALF_SECOND).buffer));
      await replyCount(++frames);
    }
    socket.send('{"eof" : 1}');
    await closed;
    expect(replies.filter((r) => r.type === 'error')).toEqual([]);
    expect(replies).toHaveLength(frames + 1);
    // The endpointer ends the utterance once the hypothesis stops changing: that frame's reply is the final.
    const finals = replies.filter((r) => 'text' in r);
    expect(finals[0]).toMatchObject({
      text: 'follow the designer',
      asrConfidence: 0.8,
      result: [
        { word: 'follow', start: 0, end: 0.4, conf: 0.9 },
        { word: 'the', start: 0.5, end: 0.9, conf: 0.8 },
        { word: 'designer', start: 1, end: 1.4, conf: 0.7 },
      ],
    });
    const partials = replies.slice(0, replies.indexOf(finals[0]!)).map((r) => r.partial);
    expect(partials.slice(0, 3)).toEqual(['follow', 'follow the', 'follow the designer']);
    // The recogniser was reset: the next utterance hears the transcript from its start again, its times running on.
    expect(finals).toHaveLength(2);
    expect(finals[1]).toMatchObject({ text: expect.stringMatching(/^follow( the)?$/), result: expect.arrayContaining([{ word: 'follow', start: expect.any(Number), end: expect.any(Number), conf: 0.9 }]) });
    expect((finals[1]!.result as { start: number }[])[0]!.start).toBeGreaterThan(1.4);
  });
});
