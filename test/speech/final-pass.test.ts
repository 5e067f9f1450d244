import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_LISTS } from '../../src/demo/catalog.js';
import { loadIntentSet } from '../../src/load-intents.js';
import { createIntentEngine } from '../../src/nlu/index.js';
import type { IntentEngine } from '../../src/nlu/index.js';
import { buildSpeechGrammar, createSpeechEngine, float32ToPcm16 } from '../../src/speech/index.js';
import type { RecognitionGrammar, StartedSpeechEngine } from '../../src/speech/index.js';
import { ESPEAK_MISSING, hasEspeak, makeNoise, mixAtSnr, synthesize } from '../helpers/audio.js';
import type { NoiseKind } from '../helpers/audio.js';
import { DEBIAN_MODEL_DIR } from '../../src/speech/model.js';
import { skipWithout } from '../helpers/skip.js';

/**
 * The whole-utterance pass against steady noise, on the real command grammar: the streaming pass
 * normalises the cepstra with the model's prior mean, so a hum or hiss colours every frame and
 * paths die before the grammar's end; decoding the utterance again with its own mean removes that
 * (and the more confident of the two results is kept). Deeper in noise, denoising the utterance
 * before that pass (RNNoise) gets back most of what the noise took.
 * Floors are from measured runs (the decoder and the seeded noise are deterministic).
 */

const COMMANDS = [
  'subscribe to mira okafor',
  'buy the neon dragon chip',
  'what is my balance',
  'how were my sales this week',
  'rate kenji sato four stars',
  'show me cyberpunk chips',
  'find chips by aria chen',
  'what is new',
  'show my last five commands',
  'read my notifications',
  'cancel',
  'help',
];
const NOISES: NoiseKind[] = ['fan', 'pink'];

const hasDebianModel = existsSync(join(DEBIAN_MODEL_DIR, 'feat.params'));
const skipped = skipWithout(!hasEspeak ? ESPEAK_MISSING : !hasDebianModel && 'pocketsphinx-en-us is not installed (the floors are for its 16 kHz model): skipped');

const cacheDir = mkdtempSync(join(tmpdir(), 'holomesh-final-pass-'));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

describe.skipIf(skipped)('whole-utterance final pass', () => {
  let nlu: IntentEngine;
  let grammar: RecognitionGrammar;
  beforeAll(async () => {
    const set = await loadIntentSet();
    nlu = createIntentEngine(set);
    grammar = buildSpeechGrammar(set, DEMO_LISTS);
  });

  /** How many noisy commands come back as the right intent and slots. */
  async function understood(engine: StartedSpeechEngine, snr: number): Promise<number> {
    let right = 0;
    for (const [n, kind] of NOISES.entries()) {
      for (const [i, text] of COMMANDS.entries()) {
        const clean = synthesize(text);
        const pcm = float32ToPcm16(mixAtSnr(clean, makeNoise(kind, clean.length, 16_000, 11 + i + 100 * n), snr, 16_000));
        const stream = await engine.openStream(grammar);
        for (let k = 0; k < pcm.length; k += 1600) await stream.accept(pcm.subarray(k, k + 1600));
        const { text: heard } = await stream.finish();
        await stream.close();
        const want = nlu.recognize(text, DEMO_LISTS);
        const got = heard ? nlu.recognize(heard, DEMO_LISTS) : null;
        if (got?.intent === want.intent && JSON.stringify(got.slots) === JSON.stringify(want.slots)) right++;
      }
    }
    return right;
  }

  async function withEngine(options: { finalPass: boolean; denoise?: boolean }, snr = 20): Promise<number> {
    const engine = await createSpeechEngine({ engine: 'soundswallower', cacheDir, workers: 1, ...options });
    try {
      await engine.prepare?.(grammar);
      return await understood(engine, snr);
    } finally {
      await engine.close();
    }
  }

  it('hears more commands through fan hum and pink noise than the streaming pass alone', async () => {
    const streamingOnly = await withEngine({ finalPass: false });
    const withFinalPass = await withEngine({ finalPass: true, denoise: false });
    console.log(`20 dB: ${streamingOnly} of 24 understood from the streaming pass, ${withFinalPass} with the final pass`);
    // Measured with the 16 kHz model on the full marketplace grammar: 14 of 24 without, 19 of 24 with the final pass.
    expect(withFinalPass).toBeGreaterThanOrEqual(18);
    expect(withFinalPass - streamingOnly).toBeGreaterThanOrEqual(4);
  }, 240_000);

  it('hears more of them at 10 dB when the noisy utterance is denoised before its final pass', async () => {
    const plain = await withEngine({ finalPass: true, denoise: false }, 10);
    const denoised = await withEngine({ finalPass: true, denoise: true }, 10);
    console.log(`10 dB: ${plain} of 24 understood without denoising, ${denoised} with`);
    // Measured with the 16 kHz model on the full marketplace grammar (collections, reviews and
    // groups included): 9 of 24 without, 15 of 24 with RNNoise.
    expect(denoised).toBeGreaterThanOrEqual(14);
    expect(denoised - plain).toBeGreaterThanOrEqual(5);
  }, 240_000);
});
