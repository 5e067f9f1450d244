import { mkdtempSync, existsSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transcribeFiles } from '../../src/cli/transcribe.js';
import { createSpeechEngine, grammarFromJsgf, writeWav } from '../../src/speech/index.js';
import type { StartedSpeechEngine } from '../../src/speech/index.js';
import { DEBIAN_MODEL_DIR, assembleModel, resolveSpeechModel, speechModelAdvice } from '../../src/speech/model.js';
import { float32ToPcm16 } from '../../src/speech/pcm.js';
import { ESPEAK_MISSING, hasEspeak, makeNoise, synthesizePcm } from '../helpers/audio.js';
import { COMMANDS, COMMAND_GRAMMAR } from './fixtures.js';
import { skipWithout } from '../helpers/skip.js';

const hasDebianModel = existsSync(join(DEBIAN_MODEL_DIR, 'feat.params'));
const noEspeak = skipWithout(!hasEspeak && ESPEAK_MISSING);
const cacheDir = mkdtempSync(join(tmpdir(), 'holomesh-speech-'));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

async function decode(engine: StartedSpeechEngine, pcm: Int16Array, chunk = 1600): Promise<string> {
  const stream = await engine.openStream(COMMAND_GRAMMAR);
  try {
    for (let i = 0; i < pcm.length; i += chunk) await stream.accept(pcm.subarray(i, i + chunk));
    return (await stream.finish()).text;
  } finally {
    await stream.close();
  }
}

describe('speech model resolution', () => {
  it('falls back to the bundled 8 kHz-band model when told to', async () => {
    const model = await resolveSpeechModel({ cacheDir, prefer: '8k' });
    expect(model).toMatchObject({ id: 'en-us-8k', source: 'bundled' });
    expect(existsSync(join(model.path, 'feat_params.json'))).toBe(true);
  });

  it('says in one line how to get the 16 kHz model when the bundled one is in use, and nothing otherwise', async () => {
    const advice = speechModelAdvice(await resolveSpeechModel({ cacheDir, prefer: '8k' }));
    expect(advice).toMatch(/apt-get install pocketsphinx-en-us.*SPEECH_MODEL_PATH/);
    expect(advice).not.toContain('\n');
    expect(speechModelAdvice({ id: 'en-us-16k' })).toBeNull();
  });

  it.skipIf(skipWithout(!hasDebianModel && 'pocketsphinx-en-us is not installed (apt-get install pocketsphinx-en-us): skipped'))(`assembles Debian's 16 kHz model in SoundSwallower's layout${hasDebianModel ? '' : ' — pocketsphinx-en-us not installed'}`, async () => {
    const model = await resolveSpeechModel({ cacheDir });
    expect(model).toMatchObject({ id: 'en-us-16k', source: 'debian' });
    for (const file of ['mdef', 'means', 'variances', 'sendump', 'transition_matrices', 'noisedict.txt', 'dict.txt', 'phoneset.json']) {
      expect(existsSync(join(model.path, file)), file).toBe(true);
    }
    const params = JSON.parse(readFileSync(join(model.path, 'feat_params.json'), 'utf8'));
    expect(params).toMatchObject({ lowerf: 130, upperf: 6800, nfilt: 25, transform: 'dct', lifter: 22, feat: '1s_c_d_dd', cmn: 'current', varnorm: false });
    expect(params.cmninit).toMatch(/^41\.00,/);
  });

  it.skipIf(skipWithout(!hasDebianModel && 'pocketsphinx-en-us is not installed (apt-get install pocketsphinx-en-us): skipped'))('assembles once for engines starting together, and replaces an older assembly in the way', async () => {
    // Several rounds: a race between assemblies shows only in some interleavings.
    for (let round = 0; round < 4; round++) {
      const empty = mkdtempSync(join(tmpdir(), 'holomesh-speech-assemble-'));
      try {
        const models = await Promise.all(Array.from({ length: 6 }, () => resolveSpeechModel({ cacheDir: empty })));
        expect(new Set(models.map((m) => m.path)).size).toBe(1);
        expect(existsSync(join(models[0].path, 'feat_params.json'))).toBe(true);
        expect(readdirSync(join(empty, 'models'))).toEqual(['en-us-16k']);
      } finally {
        rmSync(empty, { recursive: true, force: true });
      }
    }
    const fresh = mkdtempSync(join(tmpdir(), 'holomesh-speech-assemble-'));
    try {
      const target = (await resolveSpeechModel({ cacheDir: fresh })).path;

      writeFileSync(join(target, '.assembled-from'), 'an older model');
      writeFileSync(join(target, 'leftover'), '');
      await assembleModel(DEBIAN_MODEL_DIR, target);
      expect(existsSync(join(target, 'leftover'))).toBe(false);
      expect(readFileSync(join(target, '.assembled-from'), 'utf8')).toContain(join(DEBIAN_MODEL_DIR, 'mdef'));
      expect(readdirSync(join(fresh, 'models'))).toEqual(['en-us-16k']);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  it('rejects a configured folder without a model, saying where it looked', async () => {
    await expect(resolveSpeechModel({ cacheDir, modelPath: cacheDir })).rejects.toMatchObject({ code: 'HM_ERR_SPEECH_MODEL_NOT_FOUND' });
  });

  it('explains how to get a vosk model when vosk is chosen without one', async () => {
    await expect(createSpeechEngine({ engine: 'vosk', cacheDir, workers: 1 })).rejects.toThrow(/VOSK_MODEL_PATH/);
  });
});

describe.skipIf(noEspeak)(`speech engine through the worker pool${hasEspeak ? '' : ` — ${ESPEAK_MISSING}`}`, () => {
  let engine: StartedSpeechEngine;
  beforeAll(async () => {
    // Decoding, not rejection, is tested here: espeak's voices fit the model worse than people do,
    // and the out-of-grammar threshold is set for people (bench/rejection.ts).
    engine = await createSpeechEngine({ engine: 'auto', cacheDir, workers: 2, verifyBelow: false });
  }, 60_000);
  afterAll(async () => engine?.close());

  it('names the model it uses', () => {
    expect(engine.name).toBe(hasDebianModel ? 'soundswallower/en-us-16k' : 'soundswallower/en-us-8k');
    expect(engine.description).toContain(engine.name);
    expect(engine.sampleRate).toBe(16_000);
  });

  it.each(COMMANDS)('decodes "%s"', async (command) => {
    expect(await decode(engine, synthesizePcm(command))).toBe(command);
  });

  it('decodes a British voice too', async () => {
    expect(await decode(engine, synthesizePcm('subscribe to mira okafor', { voice: 'en-gb' }))).toBe('subscribe to mira okafor');
  });

  it('keeps concurrent streams apart', async () => {
    const pairs = [
      ['buy the neon dragon chip', 'what is my balance'],
      ['subscribe to kenji sato', 'open holomesh'],
    ] as const;
    for (const [a, b] of pairs) {
      // Interleave small chunks of two utterances on two streams (and on one worker: 4 streams, 2 workers).
      const streams = await Promise.all([0, 1, 2, 3].map(() => engine.openStream(COMMAND_GRAMMAR)));
      const audio = [a, b, b, a].map((text) => synthesizePcm(text));
      const longest = Math.max(...audio.map((x) => x.length));
      for (let i = 0; i < longest; i += 800) {
        await Promise.all(streams.map((s, k) => (i < audio[k].length ? s.accept(audio[k].subarray(i, i + 800)) : Promise.resolve())));
      }
      const texts = await Promise.all(streams.map(async (s) => (await s.finish()).text));
      await Promise.all(streams.map((s) => s.close()));
      expect(texts).toEqual([a, b, b, a]);
    }
  });

  it('decodes utterance after utterance on one stream, with word times and confidences', async () => {
    const stream = await engine.openStream(COMMAND_GRAMMAR);
    for (const command of ['what is my balance', 'buy quantum koi']) {
      await stream.accept(synthesizePcm(command));
      const result = await stream.finish();
      expect(result.text).toBe(command);
      expect(result.engine).toBe(engine.name);
      expect(result.words?.map((w) => w.word).join(' ')).toBe(command);
      expect(result.confidence).toBeGreaterThan(0.5);
      expect(result.confidence).toBeLessThanOrEqual(1);
    }
    await stream.close();
    await stream.close();
    await expect(stream.accept(new Int16Array(10))).rejects.toMatchObject({ code: 'HM_ERR_SPEECH_STREAM_CLOSED' });
  });

  it('decodes a command after a long idle room, word times counted from the utterance start', async () => {
    // 25 s of a quiet room, then the command: more than the final pass keeps (20 s), and the
    // caller says where the speech began, so only the command is decoded again.
    const room = float32ToPcm16(makeNoise('pink', 25 * 16_000, 16_000, 5).map((v) => v * 0.01));
    const command = synthesizePcm('what is my balance');
    for (const speechFromSeconds of [undefined, 24.8]) {
      const stream = await engine.openStream(COMMAND_GRAMMAR);
      try {
        for (const pcm of [room, command]) for (let i = 0; i < pcm.length; i += 1600) await stream.accept(pcm.subarray(i, i + 1600));
        const result = await stream.finish(speechFromSeconds === undefined ? {} : { speechFromSeconds });
        expect(result.text).toBe('what is my balance');
        // Seconds: the first word starts after the 25 s room (and the synthesizer's lead silence).
        expect(result.words![0]!.start).toBeGreaterThanOrEqual(25);
        expect(result.words!.at(-1)!.end).toBeLessThanOrEqual(25 + command.length / 16_000);
      } finally {
        await stream.close();
      }
    }
  }, 60_000);

  it('gives words unknown to every dictionary a pronunciation', async () => {
    const grammar = grammarFromJsgf('#JSGF V1.0;\ngrammar t;\npublic <t> = play zorblax | play quixotron | stop;\n');
    const stream = await engine.openStream(grammar);
    await stream.accept(synthesizePcm('play zorblax'));
    expect((await stream.finish()).text).toBe('play zorblax');
    await stream.close();
  });

  it('reports a grammar that does not compile', async () => {
    await expect(engine.openStream(grammarFromJsgf('#JSGF V1.0;\ngrammar t;\npublic <t> = (broken;\n'))).rejects.toMatchObject({
      code: 'HM_ERR_SPEECH_GRAMMAR_INVALID',
    });
  });

  it('transcribes WAV files at other rates, and reports unreadable ones without stopping', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'holomesh-wav-'));
    const good = join(dir, 'balance.wav');
    writeFileSync(good, writeWav(synthesizePcm('what is my balance', { sampleRate: 44_100 }), 44_100));
    const bad = join(dir, 'bad.wav');
    writeFileSync(bad, 'not a wav');
    const results = [];
    for await (const r of transcribeFiles({
      files: [bad, good],
      engine,
      grammar: COMMAND_GRAMMAR,
      understand: (text) => ({ intent: text.includes('balance') ? 'check_balance' : null, slots: {}, confidence: 0.9 }),
    })) {
      results.push(r);
    }
    rmSync(dir, { recursive: true, force: true });
    expect(results[0]).toMatchObject({ file: bad, text: '', intent: null });
    expect(results[0].error).toMatch(/Invalid WAV/);
    expect(results[1]).toMatchObject({ file: good, text: 'what is my balance', intent: 'check_balance', confidence: 0.9, engine: engine.name });
    expect(results[1].audioSeconds).toBeGreaterThan(1);
    expect(results[1].decodeSeconds).toBeLessThan(results[1].audioSeconds);
  });
});

describe.skipIf(noEspeak)(`bundled 8 kHz-band model${hasEspeak ? '' : ` — ${ESPEAK_MISSING}`}`, () => {
  it('loads and decodes a command', async () => {
    const engine = await createSpeechEngine({ engine: 'soundswallower', model: '8k', cacheDir, workers: 1 });
    try {
      expect(engine.name).toBe('soundswallower/en-us-8k');
      expect(await decode(engine, synthesizePcm('what is my balance'))).toBe('what is my balance');
    } finally {
      await engine.close();
    }
  }, 60_000);
});
