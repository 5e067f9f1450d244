import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { float32ToPcm16, pcm16ToFloat32 } from '../../src/speech/pcm.js';
import { resample } from '../../src/speech/resample.js';
import { parseWav, writeWav } from '../../src/speech/wav.js';
import { rng } from './random.js';

/**
 * Test audio: commands spoken by espeak-ng (cached in the temp dir), noises made from seeded
 * random numbers, mixing at a given SNR, resampling.
 */

/** True when Debian's flite can be run: its voices are built from recordings of people. */
export const hasFlite: boolean = spawnSync('flite', ['-lv'], { stdio: 'ignore' }).status === 0;

/** True when espeak-ng can be run (suites that need speech skip without it). */
export const hasEspeak: boolean = spawnSync('espeak-ng', ['--version'], { stdio: 'ignore' }).status === 0;
export const ESPEAK_MISSING = 'espeak-ng is not installed (apt-get install espeak-ng): speech tests skipped';

/** True when sox can be run: the no-speech tests take their noises from it, as a person trying the service would. */
export const hasSox: boolean = spawnSync('sox', ['--version'], { stdio: 'ignore' }).status === 0;
export const SOX_MISSING = 'sox is not installed (apt-get install sox): no-speech tests skipped';

/**
 * `seconds` of sox's `synth` noise (`whitenoise`, `pinknoise`, `brownnoise`) at `volume`, or of
 * digital silence, as 16-bit PCM at `sampleRate`. Repeatable (sox -R).
 */
export function soxNoise(kind: 'white' | 'pink' | 'brown' | 'silence', seconds: number, volume = 0.02, sampleRate = 16_000): Int16Array {
  const effect = kind === 'silence' ? ['trim', '0', String(seconds)] : ['synth', String(seconds), `${kind}noise`, 'vol', String(volume)];
  const raw = execFileSync('sox', ['-R', '-D', '-n', '-r', String(sampleRate), '-b', '16', '-c', '1', '-e', 'signed-integer', '-t', 'raw', '-', ...effect]);
  return new Int16Array(raw.buffer, raw.byteOffset, raw.byteLength / 2).slice();
}

export interface VoiceOptions {
  /** espeak-ng voice, e.g. `en-us`, `en-gb`, `en-us+f3`, or a flite voice as `flite:slt`. Default `en-us`. */
  readonly voice?: string;
  /** Words per minute. Default 160. */
  readonly rate?: number;
  /** 0–99. Default 50. */
  readonly pitch?: number;
}

export interface SynthOptions extends VoiceOptions {
  /** Output rate. Default 16 000. */
  readonly sampleRate?: number;
  /** Silence before and after, seconds. Default 0.3. */
  readonly padSeconds?: number;
}

const CACHE = join(tmpdir(), 'holomesh-tts');

/** Synthesized speech as floats at the synthesizer's rate, cached by text and voice. */
export function speakRaw(text: string, voice: VoiceOptions = {}): { samples: Float32Array; sampleRate: number } {
  const name = voice.voice ?? 'en-us';
  const flite = name.startsWith('flite:');
  // flite has no pitch option; its speed is a duration stretch (160 words a minute = 1).
  const args = flite
    ? ['-voice', name.slice(6), '--setf', `duration_stretch=${(160 / (voice.rate ?? 160)).toFixed(3)}`]
    : ['-v', name, '-s', String(voice.rate ?? 160), '-p', String(voice.pitch ?? 50)];
  const key = createHash('sha1').update(JSON.stringify([text, args])).digest('hex').slice(0, 16);
  const file = join(CACHE, `${key}.wav`);
  if (!existsSync(file)) {
    mkdirSync(CACHE, { recursive: true });
    const partial = `${file}.${process.pid}.tmp`;
    if (flite) execFileSync('flite', [...args, '-t', text, '-o', partial]);
    else execFileSync('espeak-ng', [...args, '-w', partial, text]);
    renameSync(partial, file);
  }
  const wav = parseWav(readFileSync(file));
  return { samples: pcm16ToFloat32(wav.samples), sampleRate: wav.sampleRate };
}

/** A spoken command as floats at `sampleRate`, with silence around it. */
export function synthesize(text: string, options: SynthOptions = {}): Float32Array {
  const rate = options.sampleRate ?? 16_000;
  const raw = speakRaw(text, options);
  const speech = resample(raw.samples, raw.sampleRate, rate);
  const pad = Math.round((options.padSeconds ?? 0.3) * rate);
  const out = new Float32Array(speech.length + 2 * pad);
  out.set(speech, pad);
  return out;
}

/** Same, as 16-bit PCM (what a client sends). */
export function synthesizePcm(text: string, options: SynthOptions = {}): Int16Array {
  return float32ToPcm16(synthesize(text, options));
}

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
}

export type NoiseKind = 'white' | 'pink' | 'brown' | 'babble' | 'clatter' | 'kitchen' | 'fan';

const BABBLE_LINES = [
  'did you put the kettle on already',
  'we need more onions for the soup tonight',
  'pass me the big pan on the left please',
  'the oven is still too hot to open',
  'how long do the potatoes need to boil',
  'I think the bread is nearly done now',
];

/** Noise of a kind, `length` samples at `sampleRate`, RMS ≈ 0.1 before scaling. */
export function makeNoise(kind: NoiseKind, length: number, sampleRate: number, seed = 1): Float32Array {
  const random = rng(seed);
  const out = new Float32Array(length);
  switch (kind) {
    case 'white':
      for (let i = 0; i < length; i++) out[i] = gaussian(random);
      break;
    case 'pink': {
      // Paul Kellet's economy filter.
      let b0 = 0;
      let b1 = 0;
      let b2 = 0;
      for (let i = 0; i < length; i++) {
        const w = gaussian(random);
        b0 = 0.99765 * b0 + w * 0.099046;
        b1 = 0.963 * b1 + w * 0.2965164;
        b2 = 0.57 * b2 + w * 1.0526913;
        out[i] = b0 + b1 + b2 + w * 0.1848;
      }
      break;
    }
    case 'brown': {
      let last = 0;
      for (let i = 0; i < length; i++) {
        last = (last + 0.02 * gaussian(random)) * 0.998;
        out[i] = last;
      }
      break;
    }
    case 'babble': {
      // Several talkers at once, each starting at a random point of a looped sentence.
      for (let talker = 0; talker < 5; talker++) {
        const voice = ['en-us', 'en-gb', 'en-us+f3', 'en-gb-x-rp', 'en-us+m3'][talker];
        const line = speakRaw(BABBLE_LINES[(seed + talker) % BABBLE_LINES.length], { voice, rate: 150 + 10 * talker });
        const speech = resample(line.samples, line.sampleRate, sampleRate);
        const offset = Math.floor(random() * speech.length);
        for (let i = 0; i < length; i++) out[i] += speech[(i + offset) % speech.length];
      }
      break;
    }
    case 'clatter': {
      // Dishes and cutlery: sparse decaying bursts ringing at a few resonances.
      const events = Math.max(1, Math.round((length / sampleRate) * 3));
      for (let e = 0; e < events; e++) {
        const start = Math.floor(random() * length);
        const freq = 1500 + random() * 4000;
        const decay = 0.01 + random() * 0.05;
        const amp = 0.5 + random();
        for (let i = start; i < Math.min(length, start + sampleRate * 0.3); i++) {
          const t = (i - start) / sampleRate;
          out[i] += amp * Math.exp(-t / decay) * (Math.sin(2 * Math.PI * freq * t) + 0.5 * gaussian(random));
        }
      }
      break;
    }
    case 'fan': {
      // A fan or extractor hood: mains-related hum with harmonics, blade rate, and airy broadband.
      const base = 50 + random() * 70;
      const phases = [random(), random(), random(), random()].map((p) => 2 * Math.PI * p);
      let b0 = 0;
      for (let i = 0; i < length; i++) {
        const t = i / sampleRate;
        let hum = 0;
        for (let h = 0; h < 4; h++) hum += Math.sin(2 * Math.PI * base * (h + 1) * t + phases[h]) / (h + 1);
        b0 = 0.97 * b0 + 0.03 * gaussian(random);
        out[i] = 0.6 * hum * (1 + 0.1 * Math.sin(2 * Math.PI * 7 * t)) + 4 * b0 + 0.15 * gaussian(random);
      }
      break;
    }
    case 'kitchen': {
      const parts: [NoiseKind, number][] = [['brown', 1], ['pink', 0.5], ['babble', 0.8], ['clatter', 0.6]];
      for (const [part, weight] of parts) {
        const noise = makeNoise(part, length, sampleRate, seed * 7 + part.length);
        for (let i = 0; i < length; i++) out[i] += weight * noise[i];
      }
      break;
    }
  }
  const r = rms(out);
  if (r > 0) for (let i = 0; i < length; i++) out[i] *= 0.1 / r;
  return out;
}

export function rms(samples: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i] * samples[i];
  return Math.sqrt(sum / Math.max(1, samples.length));
}

/** Power of the loudest 20 ms frame. */
export function peakFramePower(samples: Float32Array, sampleRate: number): number {
  const frame = Math.round(sampleRate * 0.02);
  let best = 0;
  for (let start = 0; start + frame <= samples.length; start += frame) {
    let sum = 0;
    for (let i = start; i < start + frame; i++) sum += samples[i] * samples[i];
    best = Math.max(best, sum / frame);
  }
  return best;
}

/**
 * Speech plus noise at `snrDb`, the noise scaled against the loudest speech frame
 * (SNR = loudest 20 ms speech frame power / mean noise power). Clipped to [-1, 1].
 */
export function mixAtSnr(speech: Float32Array, noise: Float32Array, snrDb: number, sampleRate: number): Float32Array {
  const noisePower = rms(noise) ** 2;
  const gain = Math.sqrt(peakFramePower(speech, sampleRate) / (noisePower * 10 ** (snrDb / 10)));
  const out = new Float32Array(speech.length);
  for (let i = 0; i < speech.length; i++) {
    const v = speech[i] + gain * noise[i % noise.length];
    out[i] = v > 1 ? 1 : v < -1 ? -1 : v;
  }
  return out;
}

/** A sine tone. */
export function tone(freq: number, seconds: number, sampleRate: number, amplitude = 0.5): Float32Array {
  const out = new Float32Array(Math.round(seconds * sampleRate));
  for (let i = 0; i < out.length; i++) out[i] = amplitude * Math.sin((2 * Math.PI * freq * i) / sampleRate);
  return out;
}

/** Writes floats as a 16-bit WAV (for listening to a failing case). */
export function saveWav(path: string, samples: Float32Array, sampleRate: number): void {
  writeFileSync(path, writeWav(float32ToPcm16(samples), sampleRate));
}
