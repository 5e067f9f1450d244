/**
 * What noise suppression costs, in ms of CPU per second of 16 kHz audio:
 *   npx tsx bench/denoise.ts [SPEECH_DEV_DIR]   (default ../shared/speech-dev)
 * the benchmark's kitchen noise (a noisy room, what the denoiser is switched on for), streamed in
 * 100 ms chunks as a live session feeds it: the 16 → 48 → 16 kHz resampling around the network
 * alone, then the whole DenoiseStream (resampling and RNNoise). Five rounds each; the spread
 * between rounds shows how busy the machine is.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Denoiser } from '../src/speech/denoise.js';
import { pcm16ToFloat32 } from '../src/speech/pcm.js';
import { Resampler } from '../src/speech/resample.js';
import { parseWav } from '../src/speech/wav.js';
import { parseBenchArgs } from './args.js';

const { positionals } = parseBenchArgs({ options: {}, allowPositionals: true });
if (positionals.length > 1) throw new Error(`one argument, the recordings folder, not: ${positionals.join(' ')}`);
const dir = positionals[0] ?? '../shared/speech-dev';
if (!existsSync(join(dir, 'kitchen.wav'))) {
  console.log(`no kitchen.wav in ${dir} (see its README): nothing to measure`);
  process.exit(0);
}

const wav = parseWav(readFileSync(join(dir, 'kitchen.wav')));
if (wav.sampleRate !== 16_000) throw new Error(`kitchen.wav is at ${wav.sampleRate} Hz; this bench measures 16 kHz`);
const audio = pcm16ToFloat32(wav.samples);
const seconds = audio.length / wav.sampleRate;
const CHUNK = wav.sampleRate / 10;
const denoiser = await Denoiser.create();

/** CPU ms per second of audio for one pass of `feed` over the whole recording. */
function cost(feed: (chunk: Float32Array) => void, end: () => void): number {
  const start = process.cpuUsage();
  for (let i = 0; i < audio.length; i += CHUNK) feed(audio.subarray(i, i + CHUNK));
  end();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / seconds;
}

const rounds = { resampling: [] as number[], 'resampling and RNNoise': [] as number[] };
for (let round = 0; round < 5; round++) {
  const up = new Resampler(16_000, 48_000);
  const down = new Resampler(48_000, 16_000);
  rounds.resampling.push(cost((c) => down.process(up.process(c)), () => down.process(up.flush())));
  const stream = denoiser.open(16_000);
  rounds['resampling and RNNoise'].push(cost((c) => stream.push(c), () => stream.end()));
}

console.log(`# Noise suppression cost — ${seconds.toFixed(1)} s of kitchen noise at 16 kHz, 100 ms chunks, CPU ms per second of audio`);
console.log('| stage | min | median | max |\n|---|---|---|---|');
for (const [stage, values] of Object.entries(rounds)) {
  const sorted = [...values].sort((a, b) => a - b);
  console.log(`| ${stage} | ${sorted[0]!.toFixed(1)} | ${sorted[2]!.toFixed(1)} | ${sorted[4]!.toFixed(1)} |`);
}
