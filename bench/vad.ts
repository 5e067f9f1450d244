/**
 * Voice-activity figures on real recordings:
 *   npx tsx bench/vad.ts [SPEECH_DEV_DIR]   (default ../shared/speech-dev)
 *  1. false speech: `kitchen.wav` (a kitchen, nobody speaking to the device) streamed through one
 *     detector as a live session would, cut into 1 s and 2 s utterances: those counted as speech;
 *  2. speech found: every `clean/*.wav` (people saying commands) must count as speech;
 *  3. the event-loop time the detector takes per second of audio.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseWav } from '../src/speech/wav.js';
import { VoiceActivityDetector } from '../src/speech/voice-activity.js';

const { positionals } = parseArgs({ options: {}, allowPositionals: true });
if (positionals.length > 1) throw new Error(`one argument, the recordings folder, not: ${positionals.join(' ')}`);
const dir = positionals[0] ?? '../shared/speech-dev';
if (!existsSync(join(dir, 'clean'))) {
  console.log(`no recordings at ${dir} (see its README): nothing to measure`);
  process.exit(0);
}

// The kitchen first, with a fresh classifier: one that has heard much speech (pooled, from an
// earlier stream) is stricter, which would flatter the figure.
const kitchen = parseWav(readFileSync(join(dir, 'kitchen.wav')));
for (const seconds of [1, 2]) {
  const detector = await VoiceActivityDetector.create({ sampleRate: kitchen.sampleRate });
  const size = seconds * kitchen.sampleRate;
  let slices = 0;
  let speech = 0;
  for (let i = 0; i + size <= kitchen.samples.length; i += size) {
    detector.startUtterance();
    detector.push(kitchen.samples.subarray(i, i + size));
    slices++;
    if (detector.activity.hasSpeech) speech++;
  }
  detector.close();
  console.log(`kitchen noise alone, ${seconds} s utterances: ${speech} of ${slices} counted as speech (${((100 * speech) / slices).toFixed(1)} %)`);
}
const clean = readdirSync(join(dir, 'clean')).filter((f) => f.endsWith('.wav')).sort();
let found = 0;
const missed: string[] = [];
let classified = 0;
let busyMs = 0;
for (const file of clean) {
  const wav = parseWav(readFileSync(join(dir, 'clean', file)));
  const detector = await VoiceActivityDetector.create({ sampleRate: wav.sampleRate });
  const started = performance.now();
  detector.push(wav.samples);
  busyMs += performance.now() - started;
  classified += wav.samples.length / wav.sampleRate;
  if (detector.activity.hasSpeech) found++;
  else missed.push(file);
  detector.close();
}
console.log(`speech found in ${found} of ${clean.length} recordings of people${missed.length ? ` (missed: ${missed.join(', ')})` : ''}`);

console.log(`detector time: ${((1000 * busyMs) / classified / 1000).toFixed(2)} ms per second of audio`);
