import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grammarFromJsgf } from '../../src/speech/index.js';
import { resolveSpeechModel } from '../../src/speech/model.js';
import { SoundSwallowerRecognizer } from '../../src/speech/soundswallower-recognizer.js';
import type { DecoderSession } from '../../src/speech/decoder-session.js';
import { ESPEAK_MISSING, hasEspeak, synthesizePcm } from '../helpers/audio.js';
import { COMMAND_GRAMMAR } from './fixtures.js';
import { skipWithout } from '../helpers/skip.js';

const cacheDir = mkdtempSync(join(tmpdir(), 'holomesh-decoders-'));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

async function decode(session: DecoderSession, text: string): Promise<string> {
  const pcm = synthesizePcm(text);
  for (let i = 0; i < pcm.length; i += 1600) session.accept(pcm.subarray(i, i + 1600));
  return (await session.finish()).text;
}

describe.skipIf(skipWithout(!hasEspeak && ESPEAK_MISSING))(`decoder pool of one speech worker${hasEspeak ? '' : ` — ${ESPEAK_MISSING}`}`, () => {
  let recognizer: SoundSwallowerRecognizer;
  beforeAll(async () => {
    const model = await resolveSpeechModel({ cacheDir });
    recognizer = await SoundSwallowerRecognizer.create({ modelPath: model.path, engineName: 'test', sampleRate: 16_000, warmDecoders: 1, spareDecoders: 1 });
    await recognizer.prepare(COMMAND_GRAMMAR);
  }, 60_000);
  afterAll(() => recognizer?.dispose());

  it('keeps a spare decoder ready as streams take them, built in the background', async () => {
    expect(recognizer.idleDecoders).toBe(1);
    const sessions = [await recognizer.openSession(COMMAND_GRAMMAR)];
    await recognizer.settled();
    expect(recognizer.idleDecoders).toBe(1);
    sessions.push(await recognizer.openSession(COMMAND_GRAMMAR), await recognizer.openSession(COMMAND_GRAMMAR));
    await recognizer.settled();
    expect(recognizer.idleDecoders).toBe(1);
    // Decoders built with only the grammar's words decode like the first ones.
    expect(await Promise.all(sessions.map((s, i) => decode(s, ['buy the neon dragon chip', 'subscribe to mira okafor', 'what is my balance'][i])))).toEqual([
      'buy the neon dragon chip',
      'subscribe to mira okafor',
      'what is my balance',
    ]);
    for (const s of sessions) s.close();
    expect(recognizer.idleDecoders).toBe(4);
  });

  it('gives a reused lean decoder the words of a new grammar, dictionary variants and unknown words included', async () => {
    const grammar = grammarFromJsgf('#JSGF V1.0;\ngrammar t;\npublic <t> = play zorblax | read the news | stop;\n');
    const session = await recognizer.openSession(grammar);
    expect(await decode(session, 'play zorblax')).toBe('play zorblax');
    expect(await decode(session, 'read the news')).toBe('read the news');
    session.close();
  });
});
