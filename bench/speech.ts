/**
 * Speech-stage figures: `npx tsx bench/speech.ts [--quick] [--model 16k|8k|both] [--tune key=value …] [--reject 0.6]`
 *  1. decoding speed (xRT) per model over synthesized commands;
 *  2. command accuracy vs SNR (clean, 20, 15, 10, 5 dB of kitchen-like noise scaled against the
 *     loudest speech frame), with what confidence rejection does to wrong results;
 *  3. how many paced real-time streams 2 workers sustain (lag, p95 end-of-speech → final).
 * Needs espeak-ng.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSpeechEngine } from '../src/speech/index.js';
import type { DecoderTuning, StartedSpeechEngine } from '../src/speech/index.js';
import { float32ToPcm16 } from '../src/speech/pcm.js';
import { hasEspeak, makeNoise, mixAtSnr, synthesize } from '../test/helpers/audio.js';
import { COMMANDS, COMMAND_GRAMMAR } from '../test/speech/fixtures.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const tuning: Record<string, number | string | boolean> = {};
args.forEach((a, i) => {
  if (args[i - 1] !== '--tune') return;
  const [k, v] = a.split('=');
  tuning[k] = v === 'true' ? true : v === 'false' ? false : Number.isNaN(Number(v)) ? v : Number(v);
});
const rejectBelow = Number(option('--reject') ?? 0.6);
const models = (option('--model') ?? 'both') === 'both' ? (['16k', '8k'] as const) : ([option('--model')] as ('16k' | '8k')[]);
const RATE = 16_000;
const SNRS = [Infinity, 20, 15, 10, 5];
const VOICES = [
  { voice: 'en-us', rate: 160, pitch: 50 },
  { voice: 'en-gb', rate: 150, pitch: 40 },
  { voice: 'en-us+f3', rate: 175, pitch: 60 },
  { voice: 'en-gb-x-rp', rate: 140, pitch: 55 },
  { voice: 'en-us+m3', rate: 190, pitch: 35 },
  { voice: 'en-029', rate: 160, pitch: 45 },
];

interface Sample {
  readonly text: string;
  readonly audio: Float32Array;
}

function corpus(): Sample[] {
  const voices = quick ? VOICES.slice(0, 2) : VOICES;
  return voices.flatMap((v) => COMMANDS.map((text) => ({ text, audio: synthesize(text, { ...v, sampleRate: RATE }) })));
}

async function decode(engine: StartedSpeechEngine, audio: Float32Array): Promise<{ text: string; confidence: number; seconds: number }> {
  const pcm = float32ToPcm16(audio);
  const stream = await engine.openStream(COMMAND_GRAMMAR);
  const t0 = performance.now();
  for (let i = 0; i < pcm.length; i += 1600) await stream.accept(pcm.subarray(i, i + 1600));
  const result = await stream.finish();
  const seconds = (performance.now() - t0) / 1000;
  await stream.close();
  return { text: result.text || result.alternatives?.[0]?.text || '', confidence: result.confidence, seconds };
}

/** Runs `tasks` with at most `limit` at a time. */
async function pool<T>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) {
      const i = next++;
      await task(items[i], i);
    }
  }));
}

const pct = (n: number, d: number): string => (d ? `${((100 * n) / d).toFixed(1)}%` : '—');

async function accuracy(engine: StartedSpeechEngine, samples: Sample[]): Promise<void> {
  console.log(`\n## ${engine.name}: commands fully right vs SNR (kitchen noise: brown+pink+babble+clatter), ${samples.length} utterances per row`);
  console.log(`reject = confidence < ${rejectBelow} → "please repeat"; wrong-accepted = wrong text that would be acted on`);
  console.log('| SNR | exact | rejected | wrong-accepted | right among accepted | xRT (1 stream) |');
  console.log('|---|---|---|---|---|---|');
  for (const snr of SNRS) {
    let right = 0;
    let rejected = 0;
    let wrongAccepted = 0;
    let audioSeconds = 0;
    let decodeSeconds = 0;
    const misses: string[] = [];
    await pool(samples, 2, async (sample, i) => {
      const audio = Number.isFinite(snr) ? mixAtSnr(sample.audio, makeNoise('kitchen', sample.audio.length, RATE, 11 + i), snr, RATE) : sample.audio;
      const r = await decode(engine, audio);
      audioSeconds += audio.length / RATE;
      decodeSeconds += r.seconds;
      const ok = r.text === sample.text;
      if (ok) right++;
      else if (misses.length < 3) misses.push(`"${sample.text}" → "${r.text}" (${r.confidence.toFixed(2)})`);
      if (r.confidence < rejectBelow) rejected++;
      else if (!ok) wrongAccepted++;
    });
    const accepted = samples.length - rejected;
    console.log(
      `| ${Number.isFinite(snr) ? `${snr} dB` : 'clean'} | ${pct(right, samples.length)} | ${pct(rejected, samples.length)} | ${pct(wrongAccepted, samples.length)} | ${pct(accepted - wrongAccepted, accepted)} | ${(decodeSeconds / audioSeconds).toFixed(3)} |`,
    );
    if (misses.length) console.log(`|   | e.g. ${misses.join('; ')} | | | | |`);
  }
}

/** N streams fed in real time (100 ms chunks on a 100 ms clock): lag and end-of-speech → final latency. */
async function concurrency(engine: StartedSpeechEngine, samples: Sample[]): Promise<void> {
  console.log(`\n## ${engine.name}: paced real-time streams on 2 workers`);
  console.log('| streams | max lag behind real time | p95 end-of-audio → final | utterances |');
  console.log('|---|---|---|---|');
  for (const n of quick ? [4, 8] : [4, 8, 12, 16]) {
    const latencies: number[] = [];
    let maxLag = 0;
    const until = performance.now() + (quick ? 6000 : 10_000);
    await Promise.all(Array.from({ length: n }, async (_, s) => {
      let k = s;
      while (performance.now() < until) {
        const sample = samples[k++ % samples.length];
        const pcm = float32ToPcm16(sample.audio);
        const stream = await engine.openStream(COMMAND_GRAMMAR);
        const start = performance.now();
        for (let i = 0, c = 0; i < pcm.length; i += 1600, c++) {
          const due = start + c * 100;
          const wait = due - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          else maxLag = Math.max(maxLag, -wait);
          await stream.accept(pcm.subarray(i, i + 1600));
        }
        const end = performance.now();
        await stream.finish();
        latencies.push(performance.now() - end);
        await stream.close();
      }
    }));
    latencies.sort((a, b) => a - b);
    const p95 = latencies[Math.floor(0.95 * (latencies.length - 1))] ?? NaN;
    console.log(`| ${n} | ${maxLag.toFixed(0)} ms | ${p95.toFixed(0)} ms | ${latencies.length} |`);
  }
}

async function main(): Promise<void> {
  if (!hasEspeak) {
    console.error('bench/speech.ts needs espeak-ng (apt-get install espeak-ng)');
    process.exit(1);
  }
  const samples = corpus();
  console.log(`# Speech bench — ${samples.length} synthesized commands (${COMMANDS.length} × voices), tuning ${JSON.stringify(tuning)}`);
  for (const model of models) {
    const engine = await createSpeechEngine({
      engine: 'soundswallower',
      model,
      cacheDir: join(tmpdir(), 'holomesh-bench-cache'),
      workers: 2,
      tuning: tuning as DecoderTuning,
      rejectBelow: 0,
    });
    console.log(`\n${engine.description}`);
    try {
      await accuracy(engine, samples);
      if (!args.includes('--no-streams')) await concurrency(engine, samples);
    } finally {
      await engine.close();
    }
  }
}

await main();
