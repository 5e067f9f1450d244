/**
 * Real people in the speech bench: the labelled recordings of `../shared/speech-dev` (or DIR)
 * through exactly the path `holomesh transcribe --intents` takes, clean and with the benchmark's
 * kitchen noise, beside a plain SoundSwallower decode of the same audio as the reference.
 *   npm run bench:speech -- --real [DIR] [--conditions clean,6,9,12,15,18,21,24] [--quick [--offset K]] [--limit N]
 *        [--model auto|16k|8k] [--workers N] [--grammar speech|template] [--reference off] [--seed N]
 *        [--cond off] [--cond-floor DB] [--final-pass off] [--skip off] [--final-pass-skip CONF,DB] [--denoise off] [--verify T|off [--phone-margin M|off]] [--endpointer on|stream] [--misses]
 *        [--tuning key=value,…] (decoder settings, e.g. remove_noise=true,beam=1e-60: see DecoderTuning)
 *        [--heard FILE] (writes what was heard of each recording, per condition, as JSON)
 *        [--oog] (out of grammar: the recordings against the marketplace grammar instead; every command is a false accept)
 * Right = intent and every slot match the label; wrong accepted = another command understood;
 * rejected = no intent. xRT = decoding time over audio time, per stream. `--endpointer on` sends each
 * recording through a voice session of its own; `--endpointer stream` all of them through one
 * session, the room going on after each (the paced run's stream, each frame handled before the next).
 *
 *   npm run bench:speech -- --real [DIR] --paced 4,8,16 [--conditions clean,12] [--seconds 20] [--stagger 2000] [--workers N]
 * instead holds that many voice sessions at once in real time (bench/real-speech/paced.ts), with the
 * service's decoder settings (warm decoders included): whether they keep up, end of speech → final.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.js';
import { DEMO_LISTS } from '../src/demo/catalog.js';
import { loadIntentSet } from '../src/load-intents.js';
import { buildGrammar, createIntentEngine } from '../src/nlu/index.js';
import { buildSpeechGrammar, createSpeechEngine, DEFAULT_CONDITIONING, DEFAULT_FINAL_PASS_SKIP, ENGINE_SAMPLE_RATE, grammarFromJsgf, parseWav, resolveSpeechModel, writeWav } from '../src/speech/index.js';
import type { DecoderTuning, FinalPassSkip, RecognitionGrammar, SpeechEngineConfig } from '../src/speech/index.js';
import type { UnderstandResult } from '../src/cli/transcribe.js';
import { mixAtBenchmarkSnr, mixWithNoiseTail, noiseOffset, pcmToFloat64 } from './real-speech/mix.js';
import { pacedSessions } from './real-speech/paced.js';
import type { PacedRecording } from './real-speech/paced.js';
import { ReferencePool } from './real-speech/reference.js';
import type { ReferenceReply } from './real-speech/reference.js';
import { ReferenceCache } from './real-speech/reference-cache.js';
import { transcribeAll, transcribeWithEndpointer } from './real-speech/run-pipeline.js';
import type { PipelineResult } from './real-speech/run-pipeline.js';
import { transcribeAsStream } from './real-speech/stream.js';
import type { StreamFinal } from './real-speech/stream.js';
import { evenSubset, judge, parseLabels, tally } from './real-speech/score.js';
import { isOff, numberArg, numberOrOffArg, parseBenchArgs, wholeArg } from './args.js';
import type { Label, Tally, Verdict } from './real-speech/score.js';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const ALL_CONDITIONS = 'clean,6,9,12,15,18,21,24';
const QUICK_COUNT = 50;
const PACED_CONDITIONS = 'clean,12';

interface Row {
  readonly condition: string;
  readonly pipeline: Tally & { readonly xrt: number };
  readonly reference: (Tally & { readonly xrt: number }) | null;
  /** Recordings the reference got right and the pipeline did not. */
  readonly lost: number;
}

export async function runRealBench(args: readonly string[]): Promise<void> {
  const { values, positionals } = parseBenchArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      real: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      offset: { type: 'string' },
      limit: { type: 'string' },
      paced: { type: 'string' },
      conditions: { type: 'string' },
      workers: { type: 'string' },
      seed: { type: 'string' },
      model: { type: 'string', default: 'auto' },
      grammar: { type: 'string', default: 'speech' },
      reference: { type: 'string' },
      cond: { type: 'string' },
      'cond-floor': { type: 'string' },
      'final-pass': { type: 'string' },
      skip: { type: 'string' },
      'final-pass-skip': { type: 'string' },
      denoise: { type: 'string' },
      verify: { type: 'string' },
      'phone-margin': { type: 'string' },
      endpointer: { type: 'string' },
      tuning: { type: 'string' },
      seconds: { type: 'string' },
      stagger: { type: 'string' },
      misses: { type: 'boolean', default: false },
      heard: { type: 'string' },
      oog: { type: 'boolean', default: false },
    },
  });
  // `--real [DIR]`: the folder is the one positional argument.
  if (positionals.length > 1) throw new Error(`one recordings folder, not ${positionals.length}: ${positionals.join(' ')}`);
  const dir = resolve(positionals[0] ?? join(REPO_ROOT, '..', 'shared', 'speech-dev'));
  if (!existsSync(join(dir, 'labels.json')) || !existsSync(join(dir, 'clean'))) {
    console.log(`No real recordings in ${dir} (labels.json and clean/*.wav): nothing to measure. Give the folder: npm run bench:speech -- --real DIR`);
    return;
  }
  const config = loadConfig();
  const labels = parseLabels(await readFile(join(dir, 'labels.json'), 'utf8'));
  const available = [...labels.keys()].filter((name) => existsSync(join(dir, 'clean', name)));
  const offset = wholeArg('offset', values.offset, 0, 0);
  let names = values.quick ? evenSubset(available, QUICK_COUNT, offset) : evenSubset(available, available.length);
  if (values.limit !== undefined) names = evenSubset(names, wholeArg('limit', values.limit, 1));
  const paced = values.paced?.split(',').map(Number);
  if (paced?.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--paced ${values.paced}: session counts, e.g. 4,8,16`);
  const conditions = (values.conditions ?? (paced ? PACED_CONDITIONS : ALL_CONDITIONS)).split(',').map((c) => c.trim());
  for (const c of conditions) if (c !== 'clean' && !Number.isFinite(Number(c))) throw new Error(`--conditions: ${c} is neither clean nor an SNR in dB`);
  const workers = wholeArg('workers', values.workers, 2);
  const seed = numberArg('seed', values.seed) ?? 1234;
  const model = values.model as 'auto' | '16k' | '8k';
  const grammarKind = values.grammar;
  if (!['auto', '16k', '8k'].includes(model)) throw new Error(`--model ${model}: use 16k, 8k or auto`);
  if (!['speech', 'template'].includes(grammarKind)) throw new Error(`--grammar ${grammarKind}: use speech or template`);
  const [skipConfidence, skipQuietDb] = (values['final-pass-skip'] ?? '').split(',').map(Number);
  // `--skip off` only raises the confidence bar out of reach: the quiet-room bound also decides denoising.
  const finalPassSkip: FinalPassSkip | undefined = isOff('skip', values.skip)
    ? { ...DEFAULT_FINAL_PASS_SKIP, confidence: 2 }
    : values['final-pass-skip'] ? { confidence: skipConfidence, quietSpreadDb: skipQuietDb } : undefined;

  // What `transcribe --intents` builds: the context's own lists, no database.
  const set = await loadIntentSet(join(dir, 'coffee.yaml'));
  const nlu = createIntentEngine(set, { threshold: config.nluThreshold });
  const understand = (text: string) => nlu.recognize(text, {});
  const template = buildGrammar(set, {});
  const grammar = grammarKind === 'template' ? grammarFromJsgf(template.jsgf) : buildSpeechGrammar(set, {});
  const tuning = parseTuning(values.tuning);
  const condOff = isOff('cond', values.cond);
  const condFloor = numberArg('cond-floor', values['cond-floor']);
  const engineConfig: SpeechEngineConfig = {
    engine: 'soundswallower',
    model,
    modelPath: config.speech.modelPath,
    cacheDir: config.dataDir,
    workers,
    // The accuracy runs open one stream per worker at a time; paced runs keep the service's warm decoders (SPEECH_WARM_DECODERS).
    warmDecoders: paced ? config.speech.warmDecoders : 1,
    ...(condOff ? { conditioning: false as const } : {}),
    // The levelling alone, or another noise floor (dB under the levelled peak; 0: none).
    ...(!condOff && condFloor !== undefined ? { conditioning: { ...DEFAULT_CONDITIONING, floorBelowPeakDb: condFloor } } : {}),
    ...(isOff('final-pass', values['final-pass']) ? { finalPass: false } : {}),
    ...(isOff('denoise', values.denoise) ? { denoise: false } : {}),
    // Out-of-grammar verification as in the service (on for the 16 kHz model) unless SPEECH_VERIFY_BELOW or --verify says otherwise.
    verifyBelow: numberOrOffArg('verify', values.verify) ?? config.speech.verifyBelow,
    ...(values['phone-margin'] !== undefined ? { verifyPhoneMargin: numberOrOffArg('phone-margin', values['phone-margin']) } : {}),
    ...(finalPassSkip ? { finalPassSkip } : {}),
    ...(tuning ? { tuning } : {}),
  };
  const streamed = values.endpointer === 'stream';
  const endpointer = streamed || (values.endpointer !== undefined && !isOff('endpointer', values.endpointer));
  const stages = [
    `conditioning ${condOff ? 'off' : condFloor !== undefined ? `on, floor ${condFloor} dB` : 'on'}`,
    `final pass ${isOff('final-pass', values['final-pass']) ? 'off' : 'on'}`,
    `final-pass skip ${finalPassSkip ? JSON.stringify(finalPassSkip) : 'default'}`,
    `denoise ${isOff('denoise', values.denoise) ? 'off' : 'on'}`,
    `endpointer ${streamed ? 'on (one voice session, the room going on between recordings)' : endpointer || paced ? 'on (voice session)' : 'off (transcribe)'}`,
    ...(tuning ? [`decoder ${JSON.stringify(tuning)}`] : []),
  ];

  if (paced) {
    const seconds = numberArg('seconds', values.seconds) ?? 20;
    const stagger = numberArg('stagger', values.stagger) ?? 2000;
    await runPaced({ dir, names, labels, conditions, levels: paced, seconds, stagger, seed, engineConfig, grammar, understand, stages });
    return;
  }
  if (values.oog) {
    await runOutOfGrammar({ dir, names, conditions, seed, engineConfig, workers, stages });
    return;
  }
  const engine = await createSpeechEngine(engineConfig);
  const work = await mkdtemp(join(tmpdir(), 'holomesh-real-bench-'));
  const withReference = !isOff('reference', values.reference);
  let pool: ReferencePool | null = null;
  try {
    await engine.prepare?.(grammar);
    const { path: modelPath } = await resolveSpeechModel({ modelPath: config.speech.modelPath, cacheDir: config.dataDir, prefer: model });
    const cache = await ReferenceCache.open(join(config.dataDir, 'bench', 'real-speech'), [modelPath, template.jsgf, seed, dir].join('\n'));
    /** The reference decodes of `files`: from the cache, the rest decoded now (workers started on first need). */
    const decodeReference = async (condition: string, files: readonly string[]): Promise<ReferenceReply[]> => {
      const keys = files.map((f) => `${condition}/${basename(f)}`);
      const missing = keys.map((k, i) => (cache.get(k) ? -1 : i)).filter((i) => i >= 0);
      if (missing.length) {
        pool ??= await ReferencePool.start(workers, { modelPath, jsgf: template.jsgf, sampleRate: ENGINE_SAMPLE_RATE });
        await pool.decodeAll(missing.map((i) => files[i]), (k, reply) => cache.set(keys[missing[k]], reply));
      }
      return keys.map((k) => cache.get(k) ?? { seq: 0, text: '', audioSeconds: 0, decodeSeconds: 0, error: 'not decoded' });
    };
    console.log(`# Real speech — ${names.length} recordings of ${dir}${offset ? ` (subset offset ${offset})` : ''}, ${grammarKind} grammar (${grammar.words.length} words, JSGF ${(grammar.jsgf.length / 1024).toFixed(0)} KiB)`);
    console.log(`${engine.description}; ${workers} workers; ${stages.join(', ')}; noise seed ${seed}; ${load()}`);
    console.log(`reference: ${withReference ? 'plain SoundSwallower decode, same model, the template JSGF compiled by the decoder, whole recording, one pass (decodes kept in <data dir>/bench/real-speech)' : 'off'}\n`);
    console.log('| condition | right | wrong accepted | rejected | xRT | ref right | ref wrong accepted | ref rejected | ref xRT | ref right, pipeline not |');
    console.log('|---|---|---|---|---|---|---|---|---|---|');
    const noise = existsSync(join(dir, 'kitchen.wav')) ? pcmToFloat64(parseWav(await readFile(join(dir, 'kitchen.wav'))).samples) : null;
    const rows: Row[] = [];
    const misses: string[] = [];
    const heardLog: Record<string, Record<string, { verdict: Verdict; text: string }>> = {};
    for (const condition of conditions) {
      const files = condition === 'clean' ? names.map((n) => join(dir, 'clean', n)) : await mixCondition(dir, work, names, noise, Number(condition), seed);
      const run = { engine, grammar, understand, concurrency: workers };
      const heard: (PipelineResult & { finals?: readonly StreamFinal[] })[] = streamed
        ? await transcribeAsStream({ engine, grammar, understand, recordings: await liveRecordings(dir, names, labels, condition, noise, seed), sampleRate: ENGINE_SAMPLE_RATE })
        : endpointer ? await transcribeWithEndpointer(files, run) : await transcribeAll(files, run);
      const verdicts = heard.map((r, i) => judge(labels.get(names[i]) as Label, r.intent, r.slots));
      const errors = heard.filter((r) => r.error);
      if (errors.length) console.error(`${condition}: ${errors.length} recordings failed, e.g. ${errors[0].error}`);
      let refRow: Row['reference'] = null;
      let refVerdicts: Verdict[] = [];
      let refTexts: string[] = [];
      if (withReference) {
        const replies = await decodeReference(condition, files);
        refTexts = replies.map((r) => r.text);
        refVerdicts = replies.map((r, i) => {
          const understood = r.text ? understand(r.text) : null;
          return judge(labels.get(names[i]) as Label, understood?.intent ?? null, understood?.slots ?? {});
        });
        refRow = { ...tally(refVerdicts), xrt: xrtOf(replies) };
      }
      const lost = refVerdicts.filter((v, i) => v === 'right' && verdicts[i] !== 'right').length;
      const row: Row = { condition, pipeline: { ...tally(verdicts), xrt: xrtOf(heard) }, reference: refRow, lost };
      rows.push(row);
      console.log(formatRow(row));
      heardLog[condition] = Object.fromEntries(heard.map((r, i) => [names[i], { verdict: verdicts[i], text: r.text }]));
      // After every condition, so that a long run's first conditions can be used while it goes on.
      if (values.heard) await writeFile(values.heard, `${JSON.stringify(heardLog, null, 1)}\n`);
      heard.forEach((r, i) => {
        const finals = r.finals ? ` — finals ${r.finals.map((f) => `${f.atS >= 0 ? '+' : ''}${f.atS.toFixed(1)} s "${f.text}"${f.noSpeech ? ' (no speech)' : ''}`).join(', ') || 'none'}` : '';
        if (verdicts[i] !== 'right') misses.push(`${condition} ${names[i]}: ${verdicts[i]} "${r.text}"${withReference ? ` — ref ${refVerdicts[i]} "${refTexts[i]}"` : ''}${finals}`);
      });
    }
    const noisy = rows.filter((r) => r.condition !== 'clean');
    if (noisy.length > 1) console.log(formatRow(average(noisy)));
    console.log(`\n${load()} (a busy machine slows every xRT)`);
    if (values.misses && misses.length) console.log(`\nnot right:\n${misses.map((m) => `- ${m}`).join('\n')}`);
  } finally {
    await (pool as ReferencePool | null)?.close();
    await engine.close();
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * `--oog`: the recordings against the MARKETPLACE grammar through the same pipeline. Nothing they
 * say is a marketplace command, so every command understood is a false accept.
 */
async function runOutOfGrammar(o: { dir: string; names: readonly string[]; conditions: readonly string[]; seed: number; engineConfig: SpeechEngineConfig; workers: number; stages: readonly string[] }): Promise<void> {
  const market = await loadIntentSet();
  const nlu = createIntentEngine(market, { threshold: loadConfig().nluThreshold });
  const grammar = buildSpeechGrammar(market, DEMO_LISTS);
  const engine = await createSpeechEngine(o.engineConfig);
  const work = await mkdtemp(join(tmpdir(), 'holomesh-real-bench-'));
  try {
    await engine.prepare?.(grammar);
    console.log(`# Out of grammar — ${o.names.length} recordings of ${o.dir} against the marketplace's speech grammar (${grammar.words.length} words)`);
    console.log(`${engine.description}; ${o.workers} workers; ${o.stages.join(', ')}; noise seed ${o.seed}; ${load()}\n`);
    console.log('| condition | no command | command | xRT |\n|---|---|---|---|');
    const noise = existsSync(join(o.dir, 'kitchen.wav')) ? pcmToFloat64(parseWav(await readFile(join(o.dir, 'kitchen.wav'))).samples) : null;
    for (const condition of o.conditions) {
      const files = condition === 'clean' ? o.names.map((n) => join(o.dir, 'clean', n)) : await mixCondition(o.dir, work, o.names, noise, Number(condition), o.seed);
      const heard = await transcribeAll(files, { engine, grammar, understand: (text) => nlu.recognize(text, DEMO_LISTS), concurrency: o.workers });
      const errors = heard.filter((r) => r.error);
      if (errors.length) console.error(`${condition}: ${errors.length} recordings failed, e.g. ${errors[0].error}`);
      const commands = heard.filter((r) => !r.error && r.intent !== null).length;
      const n = heard.length - errors.length;
      const pct = (k: number): string => `${((100 * k) / n).toFixed(1)} %`;
      console.log(`| ${condition} | ${pct(n - commands)} | ${pct(commands)} | ${xrtOf(heard).toFixed(3)} |`);
    }
    console.log(`\n${load()} (a busy machine slows every xRT)`);
  } finally {
    await engine.close();
    await rm(work, { recursive: true, force: true });
  }
}

interface PacedOptions {
  readonly dir: string;
  readonly names: readonly string[];
  readonly labels: ReadonlyMap<string, Label>;
  readonly conditions: readonly string[];
  readonly levels: readonly number[];
  readonly seconds: number;
  readonly stagger: number;
  readonly seed: number;
  readonly engineConfig: SpeechEngineConfig;
  readonly grammar: RecognitionGrammar;
  readonly understand: (text: string) => UnderstandResult;
  readonly stages: readonly string[];
}

/** `--paced`: per condition and session count, N real-time voice sessions of the recordings at once. */
async function runPaced(o: PacedOptions): Promise<void> {
  const noise = existsSync(join(o.dir, 'kitchen.wav')) ? pcmToFloat64(parseWav(await readFile(join(o.dir, 'kitchen.wav'))).samples) : null;
  const engine = await createSpeechEngine(o.engineConfig);
  try {
    await engine.prepare?.(o.grammar);
    console.log(`# Real speech, paced — ${o.names.length} recordings of ${o.dir} as live voice sessions (VoiceSession: endpointer, one reply per 100 ms frame), ${o.seconds} s per run, starts spread over ${o.stagger} ms`);
    console.log(`${engine.description}; ${o.engineConfig.workers} workers; ${o.stages.join(', ')}; noise seed ${o.seed}; ${load()}`);
    console.log('after each recording the room goes on (the kitchen noise continuing; silence when clean) until the endpointer ends the utterance (600 ms of trailing silence, or the hypothesis settled in noise)');
    console.log('held = p99 frame lag < 300 ms; end of speech → final = the final − the end of the frame that completed the trailing silence\n');
    console.log('| condition | sessions | held in real time | frame lag p50 / p95 / p99 / max | end of speech → final p50 / p95 / max | commands right | empty finals | not ended | CPU (cores) | CPU s per audio s (2 free cores carry) | RSS |');
    console.log('|---|---|---|---|---|---|---|---|---|---|---|');
    for (const condition of o.conditions) {
      const recordings = await liveRecordings(o.dir, o.names, o.labels, condition, noise, o.seed);
      for (const n of o.levels) {
        const f = await pacedSessions(n, o.seconds, o.stagger, { engine, grammar: o.grammar, understand: o.understand, recordings, sampleRate: ENGINE_SAMPLE_RATE });
        const lags = [...f.lags].sort((a, b) => a - b);
        const finals = [...f.finals].sort((a, b) => a - b);
        const held = quantile(lags, 0.99) < 300 ? 'yes' : 'no';
        const right = f.verdicts.filter((v) => v === 'right').length;
        const cells = [
          condition,
          String(n),
          held,
          [0.5, 0.95, 0.99].map((q) => ms(quantile(lags, q))).join(' / ') + ` / ${ms(lags.at(-1) ?? NaN)}`,
          `${ms(quantile(finals, 0.5))} / ${ms(quantile(finals, 0.95))} / ${ms(finals.at(-1) ?? NaN)}`,
          `${right} of ${f.verdicts.length} (${pct(right, f.verdicts.length)})`,
          String(f.empty),
          String(f.unended),
          f.cores.toFixed(2),
          `${f.cpuPerAudioSecond.toFixed(3)} (${Math.floor(2 / f.cpuPerAudioSecond)})`,
          `${f.rssMiB.toFixed(0)} MiB`,
        ];
        console.log(`| ${cells.join(' | ')} |`);
      }
    }
    console.log(`\n${load()} (a busy machine slows every figure)`);
  } finally {
    await engine.close();
  }
}

/** The recordings as a live microphone hears them: in the condition's noise, and the room (that noise, or silence) after each. */
async function liveRecordings(dir: string, names: readonly string[], labels: ReadonlyMap<string, Label>, condition: string, noise: Float64Array | null, seed: number): Promise<PacedRecording[]> {
  return Promise.all(names.map(async (name): Promise<PacedRecording> => {
    const wav = parseWav(await readFile(join(dir, 'clean', name)));
    const label = labels.get(name) as Label;
    if (condition === 'clean') return { name, label, pcm: wav.samples, tail: (n) => new Int16Array(n) };
    if (!noise) throw new Error(`${join(dir, 'kitchen.wav')} is missing: only --conditions clean can run`);
    const speech = pcmToFloat64(wav.samples);
    const { mixed, tail } = mixWithNoiseTail(speech, noise, Number(condition), noiseOffset(basename(name), speech.length, noise.length, seed));
    return { name, label, pcm: mixed, tail };
  }));
}

const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
const ms = (v: number): string => `${v.toFixed(0)} ms`;

/** The recordings mixed with the kitchen noise at `snrDb`, written as WAV files (what a user would give `transcribe`). */
async function mixCondition(dir: string, work: string, names: readonly string[], noise: Float64Array | null, snrDb: number, seed: number): Promise<string[]> {
  if (!noise) throw new Error(`${join(dir, 'kitchen.wav')} is missing: only --conditions clean can run`);
  const out = join(work, `${snrDb}dB`);
  await mkdir(out, { recursive: true });
  return Promise.all(names.map(async (name) => {
    const wav = parseWav(await readFile(join(dir, 'clean', name)));
    if (wav.sampleRate !== ENGINE_SAMPLE_RATE) throw new Error(`${name}: ${wav.sampleRate} Hz; the benchmark's recordings are 16 kHz`);
    const speech = pcmToFloat64(wav.samples);
    const mixed = mixAtBenchmarkSnr(speech, noise, snrDb, noiseOffset(basename(name), speech.length, noise.length, seed));
    const path = join(out, name);
    await writeFile(path, writeWav(mixed, wav.sampleRate));
    return path;
  }));
}

/** `key=value,…` → decoder settings: numbers, booleans and words as they are. */
function parseTuning(text: string | undefined): DecoderTuning | null {
  if (!text) return null;
  const out: Record<string, string | number | boolean> = {};
  for (const pair of text.split(',')) {
    const [key, value] = pair.split('=').map((p) => p.trim());
    if (!key || value === undefined) throw new Error(`--tuning: ${pair} is not key=value`);
    out[key] = value === 'true' ? true : value === 'false' ? false : Number.isFinite(Number(value)) ? Number(value) : value;
  }
  return out as DecoderTuning;
}

function xrtOf(results: readonly Pick<PipelineResult, 'audioSeconds' | 'decodeSeconds'>[]): number {
  const audio = results.reduce((s, r) => s + r.audioSeconds, 0);
  return audio > 0 ? results.reduce((s, r) => s + r.decodeSeconds, 0) / audio : NaN;
}

/** The mean of the noisy conditions' shares (each condition weighs the same, as the benchmark averages). */
function average(rows: readonly Row[]): Row {
  const mean = (pick: (r: Row) => number): number => rows.reduce((s, r) => s + pick(r), 0) / rows.length;
  const share = (t: Tally, k: 'right' | 'wrong' | 'rejected'): number => t[k] / t.n;
  const n = 1;
  const pipeline = { n, right: mean((r) => share(r.pipeline, 'right')), wrong: mean((r) => share(r.pipeline, 'wrong')), rejected: mean((r) => share(r.pipeline, 'rejected')), xrt: mean((r) => r.pipeline.xrt) };
  const withRef = rows.every((r) => r.reference);
  const reference = withRef
    ? { n, right: mean((r) => share(r.reference!, 'right')), wrong: mean((r) => share(r.reference!, 'wrong')), rejected: mean((r) => share(r.reference!, 'rejected')), xrt: mean((r) => r.reference!.xrt) }
    : null;
  return { condition: `mean ${rows.map((r) => r.condition).join('/')} dB`, pipeline, reference, lost: mean((r) => r.lost / r.pipeline.n) };
}

const load = (): string => `load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} (1/5/15 min)`;

const pct = (k: number, n: number): string => `${((100 * k) / n).toFixed(1)} %`;

function formatRow(row: Row): string {
  const p = row.pipeline;
  const r = row.reference;
  const lost = p.n === 1 ? pct(row.lost, 1) : `${row.lost} of ${p.n}`;
  const cells = [row.condition, pct(p.right, p.n), pct(p.wrong, p.n), pct(p.rejected, p.n), p.xrt.toFixed(3)];
  cells.push(...(r ? [pct(r.right, r.n), pct(r.wrong, r.n), pct(r.rejected, r.n), r.xrt.toFixed(3), lost] : ['—', '—', '—', '—', '—']));
  return `| ${cells.join(' | ')} |`;
}
