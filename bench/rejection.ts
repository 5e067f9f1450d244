/**
 * Out-of-grammar rejection on real speech, before and after utterance verification:
 *   npm run bench:rejection -- [--quick] [--dev DIR] [--grammar speech|template] [--threshold T] [--phone-margin M|off] [--verify-spread DB] [--stride N --offset K] [--files N] [--snr DB] [--no-synth] [--only oog|in] [--verbose]
 *  1. real people ordering coffee (../shared/speech-dev) decoded against the MARKETPLACE grammar:
 *     every recording is out of grammar; a command = a transcript the marketplace's intents understand;
 *  2. Debian's pocketsphinx-testdata read speech (cards, Austen, digits) against the same grammar;
 *  3. the same coffee recordings against the COFFEE grammar (built as `--grammar` says, like the
 *     marketplace's): in-grammar accuracy of real people (right = intent + every slot), before and after;
 *  4. synthesized marketplace commands (espeak-ng) against the marketplace grammar, before and after.
 * "Before" = the recogniser without verification; "score alone" = commands whose verification score
 * (the fit moved by the decoder's confidence: verificationScore) reaches the recogniser's floor for
 * the threshold (none in a room louder than verifyFloor allows) (default the recogniser's DEFAULT_VERIFY_BELOW);
 * "after" = the recogniser's rule (passesVerification): those, and in a noisy room the commands that
 * fit at least the phone margin (default PHONE_MARGIN) better than the best phone sequence.
 * A sweep over thresholds follows. `--quick` takes every 6th recording (`--stride`, from `--offset`).
 * `--snr DB` mixes the coffee recordings with the benchmark's kitchen noise the way bench:speech --real
 * does (bench/real-speech/mix.ts, the same noise segments). Decodes in this process, one utterance at
 * a time (one core), with a verification floor no command reaches, so that every verified command's
 * score and, in a noisy room, its phone margin are known; the rule is then applied here.
 * `--verify-spread DB` verifies from that level spread on instead of the recogniser's
 * VERIFY_MIN_SPREAD_DB (0: every command, in any room).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Slots } from '../src/contracts.js';
import { DEMO_LISTS } from '../src/demo/catalog.js';
import { loadIntentSet } from '../src/load-intents.js';
import { buildGrammar, createIntentEngine, sampleSentences } from '../src/nlu/index.js';
import type { IntentSet } from '../src/nlu/index.js';
import { buildSpeechGrammar, grammarFromJsgf, parseWav, resample, resolveSpeechModel } from '../src/speech/index.js';
import type { RecognitionGrammar } from '../src/speech/index.js';
import { float32ToPcm16, pcm16ToFloat32 } from '../src/speech/pcm.js';
import { loadPronunciationFile } from '../src/speech/pronunciation.js';
import { verifyFloor } from '../src/speech/decoder-session.js';
import { DEFAULT_VERIFY_BELOW } from '../src/speech/recognizer-settings.js';
import { SoundSwallowerRecognizer } from '../src/speech/soundswallower-recognizer.js';
import { passesVerification, PHONE_MARGIN, VERIFY_MIN_SPREAD_DB } from '../src/speech/verifier.js';
import type { VerificationSeen } from '../src/speech/decoder-session.js';
import { hasEspeak, synthesizePcm } from '../test/helpers/audio.js';
import { numberArg, numberOrOffArg, parseBenchArgs, wholeArg } from './args.js';
import { mixAtBenchmarkSnr, noiseOffset, pcmToFloat64 } from './real-speech/mix.js';

const { values } = parseBenchArgs({
  options: {
    quick: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    dev: { type: 'string', default: '../shared/speech-dev' },
    grammar: { type: 'string', default: 'speech' },
    threshold: { type: 'string' },
    stride: { type: 'string' },
    offset: { type: 'string' },
    files: { type: 'string' },
    snr: { type: 'string' },
    'no-synth': { type: 'boolean', default: false },
    only: { type: 'string' },
    'phone-margin': { type: 'string' },
    'verify-spread': { type: 'string' },
  },
});
const quick = values.quick;
const verbose = values.verbose;
if (!['speech', 'template'].includes(values.grammar)) throw new Error(`--grammar ${values.grammar}: use speech or template`);
if (values.only !== undefined && !['oog', 'in'].includes(values.only)) throw new Error(`--only ${values.only}: use oog or in`);
const devDir = resolve(values.dev);
const TESTDATA = '/usr/share/pocketsphinx/test/data';
const RATE = 16_000;
const threshold = numberArg('threshold', values.threshold) ?? DEFAULT_VERIFY_BELOW;
const phoneMargin = numberOrOffArg('phone-margin', values['phone-margin']) ?? PHONE_MARGIN;
const verifySpreadDb = numberArg('verify-spread', values['verify-spread']) ?? VERIFY_MIN_SPREAD_DB;
/** Where the kitchen noise starts in each recording: bench:speech --real's default seed. */
const NOISE_SEED = 1234;
const SWEEP = [-Infinity, -4.5, -4, -3.5, -3.25, -3, -2.75, -2.5];

interface Outcome {
  readonly name: string;
  /** The recogniser's text without verification. */
  readonly text: string;
  /** How the command was verified; null when it was not (nothing heard, or a room too noisy to verify in). */
  readonly verification: VerificationSeen | null;
}

const norm = (v: unknown): string => String(v).toLowerCase().replace(/\s+/g, ' ').trim();
const slotsMatch = (got: Slots, want: Readonly<Record<string, unknown>>): boolean => {
  const a = Object.keys(got).sort();
  const b = Object.keys(want).sort();
  return a.length === b.length && a.every((k, i) => k === b[i] && norm(got[k]) === norm(want[k]));
};
const pct = (n: number, d: number): string => (d ? `${((100 * n) / d).toFixed(1)}%` : '—');
/** Accepted at threshold `t` as the recogniser would (its floor for the utterance's level spread), or by the score alone. */
const accepted = (o: Outcome, t: number, by: 'rule' | 'score' = 'rule'): boolean => {
  const v = o.verification;
  if (o.text === '' || t === -Infinity || !v) return o.text !== '';
  const floor = verifyFloor(t, v.spreadDb, verifySpreadDb);
  if (floor === null) return true;
  // The session ran the phone loop wherever the rule can ask for it (its floor is above every score).
  const phoneFit = (): number => v.phoneFit ?? -Infinity;
  return passesVerification(v, v.confidence, v.spreadDb, floor, phoneFit, by === 'score' ? false : phoneMargin);
};

function readAudio(path: string): Int16Array {
  if (path.endsWith('.raw')) {
    const bytes = readFileSync(path);
    return new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 1);
  }
  const wav = parseWav(readFileSync(path));
  return wav.sampleRate === RATE ? wav.samples : float32ToPcm16(resample(pcm16ToFloat32(wav.samples), wav.sampleRate, RATE));
}

async function decodeAll(recognizer: SoundSwallowerRecognizer, grammar: RecognitionGrammar, items: readonly { name: string; pcm: Int16Array }[]): Promise<Outcome[]> {
  const out: Outcome[] = [];
  for (const { name, pcm } of items) {
    const session = await recognizer.openSession(grammar);
    try {
      for (let i = 0; i < pcm.length; i += RATE / 10) session.accept(pcm.subarray(i, i + RATE / 10));
      const t = await session.finish();
      // A verified command comes back rejected (the floor is above its score), its words kept as the alternative.
      const v = session.lastVerification;
      const text = t.text || (v ? t.alternatives?.[0]?.text ?? '' : '');
      out.push({ name, text, verification: v });
      if (verbose) console.log(`  ${name}: "${text}" fit ${v?.fit.toFixed(2) ?? '—'}, score ${v?.score.toFixed(2) ?? '—'}${v?.phoneFit === undefined ? '' : `, over the phone loop ${(v.fit - v.phoneFit).toFixed(2)}`}, over ${v?.speechFrames ?? '—'} frames, spread ${v?.spreadDb.toFixed(0) ?? '—'} dB`);
    } finally {
      session.close();
    }
  }
  return out;
}

function sweepLine(label: string, rate: (t: number) => string): string {
  return `| ${label} | ${SWEEP.map((t) => rate(t)).join(' | ')} |`;
}

async function main(): Promise<void> {
  const market = await loadIntentSet();
  const marketNlu = createIntentEngine(market);
  const marketGrammar = values.grammar === 'template' ? buildGrammar(market, DEMO_LISTS) : buildSpeechGrammar(market, DEMO_LISTS);
  const model = await resolveSpeechModel({ cacheDir: join(tmpdir(), 'holomesh-bench-cache'), prefer: 'auto' });
  const recognizer = await SoundSwallowerRecognizer.create({
    modelPath: model.path,
    engineName: `soundswallower/${model.id}`,
    sampleRate: RATE,
    pronunciations: [...loadPronunciationFile(resolve('pronunciations.dict')).entries()],
    // No command scores 0: each verified one is rejected after its score (and, in a noisy room, its
    // phone loop) is known, and the bench applies the rule at each threshold itself.
    verifyBelow: 0,
    verifyMinSpreadDb: verifySpreadDb,
    warmDecoders: 1,
  });
  console.log(`# Rejection bench — model ${model.id}; verification threshold ${threshold} (score: fit in nats per frame of speech against the best senone, moved by the decoder confidence); phone margin ${phoneMargin === false ? 'off' : `${phoneMargin} in a noisy room`}; verified from a level spread of ${verifySpreadDb} dB`);
  const isCommand = (o: Outcome, t: number, by: 'rule' | 'score' = 'rule'): boolean => accepted(o, t, by) && marketNlu.recognize(o.text, DEMO_LISTS).intent !== null;
  const rows: string[] = [];
  const sweeps: string[] = [];
  const oogRow = (label: string, outcomes: readonly Outcome[]): void => {
    const n = outcomes.length;
    const before = outcomes.filter((o) => isCommand(o, -Infinity)).length;
    const after = outcomes.filter((o) => isCommand(o, threshold)).length;
    const scoreAfter = outcomes.filter((o) => isCommand(o, threshold, 'score')).length;
    rows.push(`| ${label} (${n}) | OOG with no command | ${pct(n - before, n)} | ${pct(n - scoreAfter, n)} | ${pct(n - after, n)} |`);
    sweeps.push(sweepLine(`${label}: no command`, (t) => pct(n - outcomes.filter((o) => isCommand(o, t)).length, n)));
    const leaks = outcomes.filter((o) => isCommand(o, threshold)).slice(0, 5);
    for (const o of leaks) console.log(`  still a command: ${o.name} → "${o.text}" (score ${o.verification?.score.toFixed(2) ?? 'not verified'})`);
  };

  // 1 + 3: real people ordering coffee.
  let coffee: { name: string; pcm: Int16Array; label: { intent: string; slots: Record<string, unknown> } }[] = [];
  let coffeeSet: IntentSet | null = null;
  if (existsSync(join(devDir, 'labels.json'))) {
    const labels = JSON.parse(readFileSync(join(devDir, 'labels.json'), 'utf8')) as Record<string, { intent: string; slots: Record<string, unknown> }>;
    const files = readdirSync(join(devDir, 'clean')).filter((f) => f.endsWith('.wav')).sort();
    const step = wholeArg('stride', values.stride, quick ? 6 : 1);
    const offset = wholeArg('offset', values.offset, 0, 0);
    const picked = files.filter((_, i) => i % step === offset).slice(0, values.files === undefined ? Infinity : wholeArg('files', values.files, 1));
    const snr = numberArg('snr', values.snr);
    const kitchen = snr === undefined ? null : pcmToFloat64(readAudio(join(devDir, 'kitchen.wav')));
    const noisy = (pcm: Int16Array, name: string): Int16Array => {
      if (!kitchen || snr === undefined) return pcm;
      const speech = pcmToFloat64(pcm);
      return mixAtBenchmarkSnr(speech, kitchen, snr, noiseOffset(name, speech.length, kitchen.length, NOISE_SEED));
    };
    coffee = picked.map((f) => ({ name: f, pcm: noisy(readAudio(join(devDir, 'clean', f)), f), label: labels[f] }));
    if (snr !== undefined) console.log(`coffee recordings mixed with kitchen noise at ${snr} dB`);
    coffeeSet = await loadIntentSet(join(devDir, 'coffee.yaml'));
  } else console.log(`(${devDir} not found: the real-speech rows are skipped)`);

  const only = values.only;
  if (coffee.length && only !== 'in') oogRow('coffee recordings vs marketplace grammar', await decodeAll(recognizer, marketGrammar, coffee));

  // 2: Debian's read speech.
  const testdata = existsSync(TESTDATA)
    ? ['cards', 'librivox'].flatMap((d) => readdirSync(join(TESTDATA, d)).filter((f) => f.endsWith('.wav')).map((f) => join(TESTDATA, d, f)))
        .concat(['goforward.raw', 'numbers.raw', 'something.raw', 'tidigits/dhd.2934z.raw'].map((f) => join(TESTDATA, f)).filter(existsSync))
    : [];
  if (only === 'in') console.log('(--only in: the out-of-grammar rows are skipped)');
  else if (testdata.length) oogRow('pocketsphinx-testdata vs marketplace grammar', await decodeAll(recognizer, marketGrammar, testdata.map((p) => ({ name: p.slice(TESTDATA.length + 1), pcm: readAudio(p) }))));
  else console.log('(pocketsphinx-testdata not installed: its row is skipped)');

  const inGrammarRow = (label: string, outcomes: readonly Outcome[], right: (o: Outcome) => boolean): void => {
    const n = outcomes.length;
    const ok = (t: number, by: 'rule' | 'score' = 'rule') => outcomes.filter((o) => accepted(o, t, by) && right(o)).length;
    rows.push(`| ${label} (${n}) | in-grammar right | ${pct(ok(-Infinity), n)} | ${pct(ok(threshold, 'score'), n)} | ${pct(ok(threshold), n)} |`);
    sweeps.push(sweepLine(`${label}: right`, (t) => pct(ok(t), n)));
    for (const o of outcomes.filter((x) => right(x) && !accepted(x, threshold)).slice(0, 5)) console.log(`  right but rejected: ${o.name} "${o.text}" (score ${o.verification?.score.toFixed(2)}, spread ${o.verification?.spreadDb.toFixed(0)} dB)`);
  };

  // 3: the coffee recordings against their own grammar, built as the marketplace's is.
  if (coffee.length && coffeeSet && only !== 'oog') {
    const coffeeNlu = createIntentEngine(coffeeSet);
    const coffeeGrammar = values.grammar === 'template' ? grammarFromJsgf(buildGrammar(coffeeSet, {}).jsgf) : buildSpeechGrammar(coffeeSet, {});
    const outcomes = await decodeAll(recognizer, coffeeGrammar, coffee);
    const labels = new Map(coffee.map((c) => [c.name, c.label]));
    inGrammarRow('coffee recordings vs coffee grammar', outcomes, (o) => {
      const u = coffeeNlu.recognize(o.text, {});
      const want = labels.get(o.name)!;
      return u.intent === want.intent && slotsMatch(u.slots, want.slots);
    });
  }

  // 4: synthesized marketplace commands.
  if (values['no-synth'] || only !== undefined) console.log('(--no-synth: the synthesized row is skipped)');
  else if (hasEspeak) {
    const sentences = synthesizedCommands(market, quick ? 1 : 2);
    const items = sentences.map((text, i) => ({ name: text, pcm: synthesizePcm(text, { ...VOICES[i % VOICES.length], sampleRate: RATE }) }));
    const want = new Map(sentences.map((s) => [s, marketNlu.recognize(s, DEMO_LISTS)]));
    inGrammarRow('espeak-ng marketplace commands', await decodeAll(recognizer, marketGrammar, items), (o) => {
      const u = marketNlu.recognize(o.text, DEMO_LISTS);
      const w = want.get(o.name)!;
      return u.intent === w.intent && slotsMatch(u.slots, w.slots);
    });
  } else console.log('(espeak-ng not installed: the synthesized row is skipped)');
  recognizer.dispose();

  console.log(`\n| set | measure | before (no verification) | score alone ≥ ${threshold} | after (score ≥ ${threshold}${phoneMargin === false ? '' : `, or in a noisy room ${phoneMargin} over the phone loop`}) |\n|---|---|---|---|---|\n${rows.join('\n')}`);
  console.log(`\n### threshold sweep\n| set | ${SWEEP.map((t) => (t === -Infinity ? 'off' : `≥ ${t}`)).join(' | ')} |\n|---|${SWEEP.map(() => '---').join('|')}|\n${sweeps.join('\n')}`);
}

const VOICES = [
  { voice: 'en-us', rate: 160, pitch: 50 },
  { voice: 'en-gb', rate: 150, pitch: 40 },
  { voice: 'en-us+f3', rate: 175, pitch: 60 },
];

/** A seeded pick of `perIntent` sentences of every marketplace intent (deterministic: every k-th). */
function synthesizedCommands(set: IntentSet, perIntent: number): string[] {
  const out: string[] = [];
  for (const intent of set.intents) {
    const sentences = sampleSentences(set, DEMO_LISTS, { intents: [intent.name], limit: 200 }).filter((s) => s.text.split(' ').length <= 12);
    for (let k = 0; k < perIntent && k < sentences.length; k++) out.push(sentences[Math.floor(((k + 0.5) * sentences.length) / perIntent)].text);
  }
  return out;
}

await main();
