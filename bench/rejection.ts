/**
 * Out-of-grammar rejection on real speech, before and after utterance verification:
 *   npm run bench:rejection -- [--quick] [--dev DIR] [--grammar speech|template] [--threshold T] [--phone-margin M] [--stride N --offset K] [--files N] [--snr DB] [--no-synth] [--only oog|in] [--verbose]
 *  1. real people ordering coffee (../shared/speech-dev) decoded against the MARKETPLACE grammar:
 *     every recording is out of grammar; a command = a transcript the marketplace's intents understand;
 *  2. Debian's pocketsphinx-testdata read speech (cards, Austen, digits) against the same grammar;
 *  3. the same coffee recordings against the COFFEE grammar (the full template grammar): in-grammar
 *     accuracy of real people (right = intent + every slot), before and after;
 *  4. synthesized marketplace commands (espeak-ng) against the marketplace grammar, before and after.
 * "Before" = the recogniser without verification; "score alone" = commands whose verification score
 * (the fit moved by the decoder's confidence: verificationScore) reaches the recogniser's floor for
 * the threshold (none below a quiet room: verifyFloor) (default the recogniser's DEFAULT_VERIFY_BELOW);
 * "after" = with `--phone-margin M`, those that also fit at least M nats per frame of speech better than
 * the best phone sequence (passesVerification; the phone loop runs only then), else the score alone.
 * A sweep over thresholds follows. `--quick` takes every 6th recording (`--stride`, from `--offset`). `--snr DB` mixes the coffee recordings with the benchmark's kitchen noise (scaled against
 * the loudest speech frame, at a seeded offset). Decodes in this process, one utterance at a time (one core).
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
import { DEFAULT_FINAL_PASS_SKIP, DEFAULT_VERIFY_BELOW } from '../src/speech/recognizer-settings.js';
import { SoundSwallowerRecognizer } from '../src/speech/soundswallower-recognizer.js';
import { hasEspeak, mixAtSnr, synthesizePcm } from '../test/helpers/audio.js';
import { rng } from '../test/helpers/random.js';
import { numberArg, parseBenchArgs, wholeArg } from './args.js';

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
const phoneMargin = numberArg('phone-margin', values['phone-margin']);
const SWEEP = [-Infinity, -4.5, -4, -3.5, -3.25, -3, -2.75, -2.5];

interface Outcome {
  readonly name: string;
  /** The recogniser's text without verification. */
  readonly text: string;
  /** Verification score, verificationScore (null: not verifiable, rejected; Infinity: not verified, too noisy). */
  readonly score: number | null;
  /** The fit less the best phone sequence's (passesVerification), same nulls (Infinity without --phone-margin). */
  readonly margin: number | null;
  /** The utterance's level spread, dB (what the recogniser's floor depends on). */
  readonly spreadDb: number;
}

const norm = (v: unknown): string => String(v).toLowerCase().replace(/\s+/g, ' ').trim();
const slotsMatch = (got: Slots, want: Readonly<Record<string, unknown>>): boolean => {
  const a = Object.keys(got).sort();
  const b = Object.keys(want).sort();
  return a.length === b.length && a.every((k, i) => k === b[i] && norm(got[k]) === norm(want[k]));
};
const pct = (n: number, d: number): string => (d ? `${((100 * n) / d).toFixed(1)}%` : '—');
/** Accepted at threshold `t` as the recogniser would (its floor for the utterance's level spread), or by the score alone. */
const accepted = (o: Outcome, t: number, by: 'both' | 'score' = 'both'): boolean => {
  if (o.text === '' || t === -Infinity) return o.text !== '';
  const floor = verifyFloor(t, o.spreadDb, DEFAULT_FINAL_PASS_SKIP.quietSpreadDb);
  if (floor === null) return true;
  return o.score !== null && o.score >= floor && (by === 'score' || phoneMargin === undefined || (o.margin !== null && o.margin >= phoneMargin));
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
      // With verification threshold -Infinity nothing is rejected by it: the text is "before".
      // No verification of a command heard in a noisy room: it stands (as the recogniser decides).
      const unverified = t.text ? Infinity : null;
      const v = session.lastVerification;
      const margin = v ? v.fit - (v.phoneFit ?? -Infinity) : unverified;
      out.push({ name, text: t.text, score: v?.score ?? unverified, margin, spreadDb: v?.spreadDb ?? 0 });
      if (verbose) console.log(`  ${name}: "${t.text}" (${t.confidence.toFixed(2)}) fit ${v?.fit.toFixed(2) ?? '—'}, score ${v?.score.toFixed(2) ?? '—'}${v?.phoneFit === undefined ? '' : `, over the phone loop ${(v.fit - v.phoneFit).toFixed(2)}`}, over ${v?.speechFrames ?? '—'} frames, spread ${v?.spreadDb.toFixed(0) ?? '—'} dB`);
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
    verifyBelow: -Infinity,
    // The phone loop runs but rejects nothing here: the bench applies the margin itself.
    ...(phoneMargin === undefined ? {} : { verifyPhoneMargin: -Infinity }),
    warmDecoders: 1,
  });
  console.log(`# Rejection bench — model ${model.id}; verification threshold ${threshold} (score: fit in nats per frame of speech against the best senone, moved by the decoder confidence)${phoneMargin === undefined ? '' : `; phone margin ${phoneMargin}`}`);
  const isCommand = (o: Outcome, t: number, by: 'both' | 'score' = 'both'): boolean => accepted(o, t, by) && marketNlu.recognize(o.text, DEMO_LISTS).intent !== null;
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
    for (const o of leaks) console.log(`  still a command: ${o.name} → "${o.text}" (score ${o.score?.toFixed(2)})`);
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
    const kitchen = snr === undefined ? null : pcm16ToFloat32(readAudio(join(devDir, 'kitchen.wav')));
    const noisy = (pcm: Int16Array, i: number): Int16Array => {
      if (!kitchen || snr === undefined) return pcm;
      const speech = pcm16ToFloat32(pcm);
      const at = Math.floor(rng(31 + i)() * (kitchen.length - speech.length));
      return float32ToPcm16(mixAtSnr(speech, kitchen.subarray(Math.max(0, at)), snr, RATE));
    };
    coffee = picked.map((f, i) => ({ name: f, pcm: noisy(readAudio(join(devDir, 'clean', f)), i), label: labels[f] }));
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
    const ok = (t: number, by: 'both' | 'score' = 'both') => outcomes.filter((o) => accepted(o, t, by) && right(o)).length;
    rows.push(`| ${label} (${n}) | in-grammar right | ${pct(ok(-Infinity), n)} | ${pct(ok(threshold, 'score'), n)} | ${pct(ok(threshold), n)} |`);
    sweeps.push(sweepLine(`${label}: right`, (t) => pct(ok(t), n)));
    for (const o of outcomes.filter((x) => right(x) && !accepted(x, threshold)).slice(0, 5)) console.log(`  right but rejected: ${o.name} "${o.text}" (score ${o.score?.toFixed(2)})`);
  };

  // 3: the coffee recordings against their own grammar (every template sentence, not a cut sample).
  if (coffee.length && coffeeSet && only !== 'oog') {
    const coffeeNlu = createIntentEngine(coffeeSet);
    const coffeeGrammar = grammarFromJsgf(buildGrammar(coffeeSet, {}).jsgf);
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

  console.log(`\n| set | measure | before (no verification) | score alone ≥ ${threshold} | after (score ≥ ${threshold}${phoneMargin === undefined ? '' : `, ${phoneMargin} over the phone loop`}) |\n|---|---|---|---|---|\n${rows.join('\n')}`);
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
