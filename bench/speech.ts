/**
 * Speech-stage figures on the REAL command grammar (intents/ + the demo catalog):
 *   npx tsx bench/speech.ts [--quick] [--model 16k|8k] [--split tune|holdout|flite] [--snr clean,20,15,10,5]
 *                           [--tune key=value …] [--garbage PHONE,ENTRY|off] [--cond off] [--reject 0.5] [--final-pass off] [--final-pass-skip 0.8,25] [--denoise off]
 *                           [--no-accuracy] [--no-streams] [--grammar speech|template]
 *                           [--streams 4,8,12] [--seconds 15] [--stagger 1000] [--sessions] [--workers 2] [--stream-snr 20]
 *  1. accuracy vs SNR: commands for every intent, several espeak-ng voices, four noise types (babble,
 *     kitchen clatter, pink, fan hum) scaled against the loudest speech frame; scored by intent +
 *     slots (what users feel) and exact text; right / wrong-accepted / rejected at the threshold,
 *     plus out-of-grammar speech and noise alone (false accepts);
 *  2. xRT per stream;
 *  3. paced real-time streams on --workers (default 2) speech workers (open-loop, like a microphone): chunk lag percentiles,
 *     end of speech → final percentiles, slowest stream open, process RSS. `--streams 4,8,12 --seconds 15`.
 * `--real [DIR]` measures real people instead (bench/real-speech.ts: its own options).
 * Voices are split: `tune` (default, for sweeps) and `holdout` (for the final figure), both espeak-ng,
 * and `flite` (Debian's flite voices, modelled on recordings of people). Needs espeak-ng (babble too).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Slots } from '../src/contracts.js';
import { DEMO_LISTS } from '../src/demo/catalog.js';
import { loadIntentSet } from '../src/load-intents.js';
import { buildGrammar, createIntentEngine, sampleSentences } from '../src/nlu/index.js';
import { buildSpeechGrammar, createSpeechEngine } from '../src/speech/index.js';
import type { DecoderTuning, GarbageOptions, RecognitionGrammar, StartedSpeechEngine } from '../src/speech/index.js';
import { float32ToPcm16 } from '../src/speech/pcm.js';
import { VoiceSession } from '../src/ws/voice-session.js';
import { hasEspeak, hasFlite, makeNoise, mixAtSnr, synthesize } from '../test/helpers/audio.js';
import { rng } from '../test/helpers/random.js';
import type { NoiseKind, VoiceOptions } from '../test/helpers/audio.js';
import { isOff, numberArg, numberOrOffArg, parseBenchArgs, wholeArg } from './args.js';

const argv = process.argv.slice(2);
// `--real [DIR]` hands the whole command line to bench/real-speech.ts, which reads its own options.
const REAL = argv.includes('--real');
const { values } = parseBenchArgs({
  args: REAL ? [] : argv,
  options: {
    quick: { type: 'boolean', default: false },
    model: { type: 'string', default: '16k' },
    split: { type: 'string', default: 'tune' },
    snr: { type: 'string', default: 'clean,20,15,10,5' },
    tune: { type: 'string', multiple: true, default: [] },
    garbage: { type: 'string' },
    cond: { type: 'string' },
    reject: { type: 'string' },
    verify: { type: 'string' },
    'final-pass': { type: 'string' },
    'final-pass-skip': { type: 'string' },
    denoise: { type: 'string' },
    'no-accuracy': { type: 'boolean', default: false },
    'no-streams': { type: 'boolean', default: false },
    grammar: { type: 'string', default: 'speech' },
    streams: { type: 'string' },
    seconds: { type: 'string' },
    stagger: { type: 'string' },
    sessions: { type: 'boolean', default: false },
    workers: { type: 'string' },
    'stream-snr': { type: 'string' },
  },
});
const quick = values.quick;
const tuning: Record<string, number | string | boolean> = {};
for (const pair of values.tune) {
  const [k, v] = pair.split('=');
  if (!k || v === undefined) throw new Error(`--tune ${pair}: expected key=value`);
  tuning[k] = v === 'true' ? true : v === 'false' ? false : Number.isNaN(Number(v)) ? v : Number(v);
}
const garbageArg = values.garbage;
const garbage: GarbageOptions | false | undefined =
  garbageArg === undefined ? undefined : garbageArg === 'off' ? false : { phoneWeight: Number(garbageArg.split(',')[0]), entryWeight: Number(garbageArg.split(',')[1]) };
/** Out-of-grammar verification threshold (default off, as in the service; `-3` = the measured one). */
const verifyArg = values.verify;
const verifyBelow = numberOrOffArg('verify', verifyArg);
const [skipConfidence, skipQuietDb] = (values['final-pass-skip'] ?? '').split(',').map(Number);
const finalPassSkip = values['final-pass-skip'] ? { confidence: skipConfidence, quietSpreadDb: skipQuietDb } : undefined;
if (values.model !== '16k' && values.model !== '8k') throw new Error(`--model ${values.model}: expected 16k or 8k`);
const model: '16k' | '8k' = values.model;
const split = values.split;
const RATE = 16_000;
const WORKERS = wholeArg('workers', values.workers, 2);
const SNRS = values.snr.split(',').map((s) => (s === 'clean' ? Infinity : Number(s)));
const THRESHOLDS = [0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8];

/** Voices for tuning sweeps and a disjoint set kept for the final figure. */
const VOICES: Record<string, VoiceOptions[]> = {
  tune: [
    { voice: 'en-us', rate: 160, pitch: 50 },
    { voice: 'en-gb', rate: 150, pitch: 40 },
    { voice: 'en-us+f3', rate: 175, pitch: 60 },
    { voice: 'en-us+m3', rate: 190, pitch: 35 },
  ],
  holdout: [
    { voice: 'en-gb-x-rp', rate: 140, pitch: 55 },
    { voice: 'en-029', rate: 130, pitch: 45 },
    { voice: 'en-us+f4', rate: 165, pitch: 70 },
    { voice: 'en-gb-scotland', rate: 185, pitch: 30 },
  ],
  // Debian's flite voices are modelled on recordings of people: nearer to real speakers than espeak.
  flite: [
    { voice: 'flite:slt', rate: 160 },
    { voice: 'flite:rms', rate: 150 },
    { voice: 'flite:awb', rate: 170 },
    { voice: 'flite:kal16', rate: 160 },
  ],
};
const NOISES: NoiseKind[] = ['babble', 'kitchen', 'pink', 'fan'];

/** Commands users say (from the brief), beside ones sampled from every intent's templates. */
const HAND_WRITTEN = [
  'subscribe to mira okafor',
  'buy the neon dragon chip',
  'what is my balance',
  'how were my sales this week',
  'rate kenji sato four stars',
  'auto buy chips from nova under fifty credits',
  'show me cyberpunk chips',
  'find chips by aria chen',
  'what is new',
  'show my last five commands',
  'read my notifications',
  'yes',
  'no',
  'cancel',
  'help',
];

/** Out-of-grammar speech: must come back empty (or at least not as a command that acts). */
const OUT_OF_GRAMMAR = [
  'what is the weather like tomorrow morning',
  'put the kettle on please',
  'call my mother on her mobile',
  'play some jazz music in the kitchen',
  'how long do i boil an egg',
  'turn off the lights in the hallway',
];

interface Sample {
  readonly text: string;
  readonly intent: string | null;
  readonly slots: Slots;
  readonly audio: Float32Array;
  readonly voice: string;
}

const slotsEqual = (a: Slots, b: Slots): boolean => {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && String(a[k]) === String(b[k]));
};

async function main(): Promise<void> {
  if (!hasEspeak) {
    console.error('bench/speech.ts needs espeak-ng (apt-get install espeak-ng)');
    process.exit(1);
  }
  if (split === 'flite' && !hasFlite) {
    console.error('--split flite needs Debian\'s flite (apt-get install flite)');
    process.exit(1);
  }
  const set = await loadIntentSet();
  const nlu = createIntentEngine(set);
  const t0 = performance.now();
  const grammarKind = values.grammar;
  const grammar: RecognitionGrammar = grammarKind === 'template' ? buildGrammar(set, DEMO_LISTS) : buildSpeechGrammar(set, DEMO_LISTS);
  console.log(`# Speech bench — ${grammarKind} grammar: ${set.intents.length} intents, ${grammar.words.length} words, JSGF ${(grammar.jsgf.length / 1024).toFixed(0)} KiB (built in ${(performance.now() - t0).toFixed(0)} ms)`);

  // Commands: the hand-written ones plus a seeded pick of sampled sentences of every intent.
  const random = rng(7);
  const picked: string[] = [...HAND_WRITTEN];
  const perIntent = quick ? 1 : 3;
  for (const intent of set.intents) {
    const sentences = sampleSentences(set, DEMO_LISTS, { intents: [intent.name], limit: 300 }).filter((s) => s.text.split(' ').length <= 12);
    for (let k = 0; k < perIntent && sentences.length; k++) picked.push(sentences.splice(Math.floor(random() * sentences.length), 1)[0].text);
  }
  const voices = VOICES[split] ?? VOICES.tune;
  const samples: Sample[] = picked.map((text, i) => {
    const voice = voices[i % voices.length];
    const expected = nlu.recognize(text, DEMO_LISTS);
    return { text, intent: expected.intent, slots: expected.slots, audio: synthesize(text, { ...voice, sampleRate: RATE }), voice: voice.voice ?? 'en-us' };
  });
  const oog = OUT_OF_GRAMMAR.map((text, i) => synthesize(text, { ...voices[i % voices.length], sampleRate: RATE }));
  const audioSeconds = samples.reduce((s, x) => s + x.audio.length / RATE, 0);
  console.log(`${samples.length} commands (${voices.map((v) => `${v.voice}@${v.rate}/${v.pitch}`).join(', ')}; split ${split}), ${audioSeconds.toFixed(0)} s of speech per SNR; noises ${NOISES.join(', ')}`);

  const engine = await createSpeechEngine({
    engine: 'soundswallower',
    model,
    cacheDir: join(tmpdir(), 'holomesh-bench-cache'),
    workers: WORKERS,
    tuning: tuning as DecoderTuning,
    rejectBelow: 0,
    ...(garbage !== undefined ? { garbage } : {}),
    ...(isOff('cond', values.cond) ? { conditioning: false as const } : {}),
    ...(isOff('final-pass', values['final-pass']) ? { finalPass: false } : {}),
    ...(isOff('denoise', values.denoise) ? { denoise: false } : {}),
    ...(finalPassSkip ? { finalPassSkip } : {}),
    verifyBelow,
  });
  const t1 = performance.now();
  await engine.prepare?.(grammar);
  console.log(`${engine.description}\ntuning ${JSON.stringify(tuning)} garbage ${JSON.stringify(garbage ?? 'default')} verify ${verifyArg ?? 'default'}; grammar compiled on ${WORKERS} workers in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
  try {
    if (!values['no-accuracy']) await accuracy(engine, grammar, samples, oog, nlu);
    // The paced runs speak clean commands unless --stream-snr mixes in the accuracy run's noises.
    const streamSnr = numberArg('stream-snr', values['stream-snr']);
    const paced = streamSnr === undefined ? samples : samples.map((s, i) => ({ ...s, audio: mixAtSnr(s.audio, makeNoise(NOISES[i % NOISES.length], s.audio.length, RATE, 11 + i), streamSnr, RATE) }));
    if (streamSnr !== undefined) console.log(`\npaced runs: commands mixed with noise at ${streamSnr} dB SNR`);
    if (!values['no-streams']) await concurrency(engine, grammar, paced);
    if (values.sessions) await sessions(engine, grammar, paced);
  } finally {
    await engine.close();
  }
}

interface Decoded {
  readonly text: string;
  readonly hypothesis: string;
  readonly confidence: number;
  readonly seconds: number;
}

async function decode(engine: StartedSpeechEngine, grammar: RecognitionGrammar, audio: Float32Array): Promise<Decoded> {
  const pcm = float32ToPcm16(audio);
  const stream = await engine.openStream(grammar);
  const t0 = performance.now();
  for (let i = 0; i < pcm.length; i += 1600) await stream.accept(pcm.subarray(i, i + 1600));
  const result = await stream.finish();
  const seconds = (performance.now() - t0) / 1000;
  await stream.close();
  return { text: result.text, hypothesis: result.text || result.alternatives?.[0]?.text || '', confidence: result.text ? result.confidence : 0, seconds };
}

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
const snrName = (snr: number): string => (Number.isFinite(snr) ? `${snr} dB` : 'clean');

async function accuracy(
  engine: StartedSpeechEngine,
  grammar: RecognitionGrammar,
  samples: readonly Sample[],
  oog: readonly Float32Array[],
  nlu: ReturnType<typeof createIntentEngine>,
): Promise<void> {
  const threshold = numberArg('reject', values.reject) ?? 0.5;
  console.log(`\n## accuracy vs SNR — accepted = text not empty and confidence ≥ ${threshold}; right = intent + slots right`);
  console.log('| SNR | intent right | wrong accepted | rejected | exact text | right among accepted | OOG/noise accepted | xRT |');
  console.log('|---|---|---|---|---|---|---|---|');
  const sweep: string[] = [];
  const misses: string[] = [];
  for (const snr of SNRS) {
    const rows: { ok: boolean; exact: boolean; conf: number }[] = [];
    let decodeSeconds = 0;
    let seconds = 0;
    await pool(samples, 2, async (sample, i) => {
      const audio = Number.isFinite(snr) ? mixAtSnr(sample.audio, makeNoise(NOISES[i % NOISES.length], sample.audio.length, RATE, 11 + i), snr, RATE) : sample.audio;
      const r = await decode(engine, grammar, audio);
      decodeSeconds += r.seconds;
      seconds += audio.length / RATE;
      const understood = r.text ? nlu.recognize(r.text, DEMO_LISTS) : null;
      const ok = understood !== null && understood.intent === sample.intent && slotsEqual(understood.slots, sample.slots);
      rows.push({ ok, exact: r.text === sample.text, conf: r.confidence });
      if (!ok && r.text && r.confidence >= threshold && misses.length < 12) misses.push(`${snrName(snr)} ${sample.voice}: "${sample.text}" → "${r.text}" (${r.confidence.toFixed(2)})`);
    });
    // Out-of-grammar speech (noisy like the commands) and noise alone: anything accepted is a false accept.
    const impostors: Float32Array[] = [...oog.map((a, i) => (Number.isFinite(snr) ? mixAtSnr(a, makeNoise(NOISES[i % NOISES.length], a.length, RATE, 99 + i), snr, RATE) : a))];
    if (Number.isFinite(snr)) for (const kind of NOISES) impostors.push(makeNoise(kind, RATE * 2, RATE, 5).map((v) => v * 0.3));
    const impostorConf: number[] = [];
    await pool(impostors, 2, async (audio) => {
      const r = await decode(engine, grammar, audio);
      impostorConf.push(r.confidence);
    });
    const n = rows.length;
    const at = (t: number) => {
      const accepted = rows.filter((r) => r.conf > 0 && r.conf >= t);
      const right = accepted.filter((r) => r.ok).length;
      return { right, wrong: accepted.length - right, rejected: n - accepted.length, accepted: accepted.length, fa: impostorConf.filter((c) => c > 0 && c >= t).length };
    };
    const m = at(threshold);
    console.log(
      `| ${snrName(snr)} | ${pct(m.right, n)} | ${pct(m.wrong, n)} | ${pct(m.rejected, n)} | ${pct(rows.filter((r) => r.exact).length, n)} | ${pct(m.right, m.accepted)} | ${m.fa}/${impostors.length} | ${(decodeSeconds / seconds).toFixed(3)} |`,
    );
    sweep.push(`| ${snrName(snr)} | ${THRESHOLDS.map((t) => { const x = at(t); return `${pct(x.right, n)} / ${pct(x.wrong, n)} / ${x.fa}`; }).join(' | ')} |`);
  }
  console.log(`\n### threshold sweep: right / wrong-accepted / impostors accepted`);
  console.log(`| SNR | ${THRESHOLDS.map((t) => `≥ ${t}`).join(' | ')} |`);
  console.log(`|---|${THRESHOLDS.map(() => '---').join('|')}|`);
  for (const line of sweep) console.log(line);
  if (misses.length) console.log(`\nwrong and accepted, e.g.:\n${misses.map((m) => `- ${m}`).join('\n')}`);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
const ms = (v: number): string => `${v.toFixed(0)} ms`;

/** The paced runs' options: stream counts, seconds per count, and how far apart streams start (0: at once). */
function pacing(): { levels: number[]; seconds: number; stagger: number } {
  return {
    levels: (values.streams ?? (quick ? '8' : '4,8,12')).split(',').map(Number),
    seconds: numberArg('seconds', values.seconds) ?? (quick ? 8 : 15),
    stagger: numberArg('stagger', values.stagger) ?? 1000,
  };
}

/** Lag percentiles (held = p99 under 300 ms) and final-latency percentiles, as table cells; sorts both. */
function latencyCells(lags: number[], finals: number[]): string {
  lags.sort((a, b) => a - b);
  finals.sort((a, b) => a - b);
  const held = quantile(lags, 0.99) < 300 ? 'yes' : 'no';
  const lag = `${[0.5, 0.95, 0.99].map((q) => ms(quantile(lags, q))).join(' / ')} / ${ms(lags.at(-1) ?? NaN)}`;
  return `${held} | ${lag} | ${ms(quantile(finals, 0.5))} / ${ms(quantile(finals, 0.95))} / ${ms(finals.at(-1) ?? NaN)}`;
}

/**
 * `n` clients, started `stagger` ms apart, each running `client(index, until)` until `seconds` have
 * passed; resolves with the CPU cores the whole process used meanwhile.
 */
async function paced(n: number, seconds: number, stagger: number, client: (index: number, until: number) => Promise<void>): Promise<number> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  await Promise.all(Array.from({ length: n }, async (_, s) => {
    await sleep(t0 + (s * stagger) / n - performance.now());
    await client(s, until);
  }));
  const used = process.cpuUsage(cpu0);
  return (used.user + used.system) / 1000 / (performance.now() - t0);
}

/**
 * N streams fed in real time, open-loop like a microphone: each 100 ms chunk is sent the moment its
 * audio would have been recorded, whether or not the decoder has answered the chunks before it.
 * Lag of a chunk = its reply − the moment its audio ended (what a client waits for its partial);
 * end of speech → final = the final result − the moment the utterance's audio ended (its trailing
 * silence is part of the audio, as an endpointer would see it). Held in real time = p99 lag < 300 ms.
 * CPU = the whole process (all workers) per second of wall time: on a shared machine, compare it
 * with what the streams need (streams × xRT) before blaming the service for lag.
 */
async function concurrency(engine: StartedSpeechEngine, grammar: RecognitionGrammar, samples: readonly Sample[]): Promise<void> {
  const { levels, seconds, stagger } = pacing();
  console.log(`\n## paced real-time streams on ${WORKERS} workers, ${seconds} s each (one stream = utterance after utterance, 0.3 s between; opened once, starts spread over ${stagger} ms)`);
  console.log('| streams | held in real time | chunk lag p50 / p95 / p99 / max | end of speech → final p50 / p95 / max | utterances | slowest open | CPU (cores) | RSS |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const n of levels) {
    const lags: number[] = [];
    const finals: number[] = [];
    let slowestOpen = 0;
    const cores = await paced(n, seconds, stagger, async (s, until) => {
      const opening = performance.now();
      const stream = await engine.openStream(grammar);
      slowestOpen = Math.max(slowestOpen, performance.now() - opening);
      let k = s * 7;
      try {
        while (performance.now() < until) {
          const pcm = float32ToPcm16(samples[k++ % samples.length].audio);
          const start = performance.now();
          const replies: Promise<void>[] = [];
          let audioEnd = start;
          for (let i = 0; i < pcm.length; i += 1600) {
            const chunk = pcm.subarray(i, i + 1600);
            const recorded = start + ((i + chunk.length) / RATE) * 1000;
            audioEnd = recorded;
            await sleep(recorded - performance.now());
            replies.push(stream.accept(chunk).then(() => void lags.push(performance.now() - recorded)));
          }
          const final = stream.finish();
          await Promise.all(replies);
          await final;
          finals.push(performance.now() - audioEnd);
          await sleep(300);
        }
      } finally {
        await stream.close();
      }
    });
    const rss = process.memoryUsage().rss / 1048576;
    console.log(`| ${n} | ${latencyCells(lags, finals)} | ${finals.length} | ${ms(slowestOpen)} | ${cores.toFixed(2)} | ${rss.toFixed(0)} MiB |`);
  }
}

/**
 * The production path without the socket: a VoiceSession per stream (server-side endpointer, one
 * reply per binary frame), frames sent open-loop on a 100 ms clock, silence after each command
 * until the final comes. Frame lag = its reply − the moment its audio ended; endpoint → final =
 * the final − the moment the frame that completed the trailing silence ended (the endpointer's
 * own trailing silence, 600 ms by default, comes before that by design).
 */
async function sessions(engine: StartedSpeechEngine, grammar: RecognitionGrammar, samples: readonly Sample[]): Promise<void> {
  const { levels, seconds, stagger } = pacing();
  console.log(`\n## voice sessions (production path without the socket), ${seconds} s each, starts spread over ${stagger} ms`);
  console.log('| sessions | held in real time | frame lag p50 / p95 / p99 / max | endpoint → final p50 / p95 / max | finals (empty) | CPU (cores) | RSS |');
  console.log('|---|---|---|---|---|---|---|');
  const frameSamples = 1600;
  for (const n of levels) {
    const lags: number[] = [];
    const finals: number[] = [];
    let empty = 0;
    const cores = await paced(n, seconds, stagger, async (s, until) => {
      const recorded: number[] = [];
      let finalReply: (() => void) | null = null;
      const session = new VoiceSession({
        engine,
        grammar: async () => grammar,
        runCommand: null,
        send: (frame) => {
          if (!('partial' in frame) && !('text' in frame)) return;
          const at = recorded.shift();
          if (at === undefined) return;
          const lag = performance.now() - at;
          lags.push(lag);
          if ('text' in frame) {
            finals.push(lag);
            if (!frame.text) empty++;
            finalReply?.();
          }
        },
        close: () => {},
      });
      // Without a config a session assumes 8 kHz, as vosk-server does.
      session.onText(JSON.stringify({ config: { sample_rate: RATE } }));
      let k = s * 7;
      const silence = new Int16Array(frameSamples);
      let clock = performance.now();
      const sendFrame = async (pcm: Int16Array): Promise<void> => {
        clock += (pcm.length / RATE) * 1000;
        await sleep(clock - performance.now());
        recorded.push(clock);
        session.onBinary(new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength));
      };
      try {
        while (performance.now() < until) {
          const pcm = float32ToPcm16(samples[k++ % samples.length].audio);
          let done = false;
          const final = new Promise<void>((r) => (finalReply = () => { done = true; r(); }));
          for (let i = 0; i < pcm.length && !done; i += frameSamples) await sendFrame(pcm.subarray(i, i + frameSamples));
          // The microphone stays open: silence until the endpointer ends the utterance (at most 3 s).
          for (let i = 0; i < 30 && !done; i++) await sendFrame(silence);
          await Promise.race([final, sleep(3000)]);
          await sleep(300);
          clock = performance.now();
        }
      } finally {
        await session.dispose();
      }
    });
    const rss = process.memoryUsage().rss / 1048576;
    console.log(`| ${n} | ${latencyCells(lags, finals)} | ${finals.length} (${empty}) | ${cores.toFixed(2)} | ${rss.toFixed(0)} MiB |`);
  }
}

// `--real [DIR]`: real recordings instead of synthesized voices (bench/real-speech.ts).
if (REAL) await (await import('./real-speech.js')).runRealBench(argv);
else await main();
