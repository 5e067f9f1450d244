import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import type { LiveLists, Slots } from '../contracts.js';
import { loadIntentSet } from '../load-intents.js';
import { createIntentEngine } from '../nlu/index.js';
import { buildSpeechGrammar } from '../speech/speech-grammar.js';
import { createSpeechEngine } from '../speech/index.js';
import type { RecognitionGrammar, SpeechEngine } from '../speech/engine.js';
import { float32ToPcm16, pcm16ToFloat32 } from '../speech/pcm.js';
import { resample } from '../speech/resample.js';
import { parseWav } from '../speech/wav.js';

/** What an intent parser returns for a transcript (the `src/nlu` matcher fits). */
export interface UnderstandResult {
  readonly intent: string | null;
  readonly slots: Slots;
  readonly confidence: number;
}

export interface TranscribeOptions {
  readonly files: readonly string[];
  readonly engine: SpeechEngine;
  readonly grammar: RecognitionGrammar;
  readonly understand?: (text: string) => UnderstandResult;
  /** Audio fed per `accept` call, seconds (like a streaming client). Default 0.1. */
  readonly chunkSeconds?: number;
}

export interface TranscribeResult {
  readonly file: string;
  readonly text: string;
  readonly intent: string | null;
  readonly slots: Slots;
  /** The intent's confidence when `understand` is given, else the recogniser's. */
  readonly confidence: number;
  readonly speechConfidence: number;
  readonly engine: string;
  readonly audioSeconds: number;
  readonly decodeSeconds: number;
  /** Set when the file could not be read or decoded; the other files go on. */
  readonly error?: string;
}

/**
 * Transcribes WAV files one after another (16-bit PCM, any rate, mono or stereo), streaming
 * each through the engine in chunks as a client would; yields one result per file.
 */
export async function* transcribeFiles(options: TranscribeOptions): AsyncIterable<TranscribeResult> {
  const { engine, grammar, understand } = options;
  const chunk = Math.max(1, Math.round((options.chunkSeconds ?? 0.1) * engine.sampleRate));
  for (const file of options.files) {
    let audioSeconds = 0;
    const started = performance.now();
    try {
      const wav = parseWav(await readFile(file));
      audioSeconds = wav.samples.length / wav.sampleRate;
      const pcm = wav.sampleRate === engine.sampleRate ? wav.samples : float32ToPcm16(resample(pcm16ToFloat32(wav.samples), wav.sampleRate, engine.sampleRate));
      const decodeStart = performance.now();
      const stream = await engine.openStream(grammar);
      try {
        for (let i = 0; i < pcm.length; i += chunk) await stream.accept(pcm.subarray(i, i + chunk));
        const transcript = await stream.finish();
        const decodeSeconds = (performance.now() - decodeStart) / 1000;
        const understood = transcript.text && understand ? understand(transcript.text) : null;
        yield {
          file,
          text: transcript.text,
          intent: understood?.intent ?? null,
          slots: understood?.slots ?? {},
          confidence: understood ? understood.confidence : transcript.confidence,
          speechConfidence: transcript.confidence,
          engine: transcript.engine,
          audioSeconds,
          decodeSeconds,
        };
      } finally {
        await stream.close();
      }
    } catch (error) {
      yield {
        file,
        text: '',
        intent: null,
        slots: {},
        confidence: 0,
        speechConfidence: 0,
        engine: engine.name,
        audioSeconds,
        decodeSeconds: (performance.now() - started) / 1000,
        error: (error as Error).message,
      };
    }
  }
}

interface TranscribeCliOptions {
  readonly intents?: string;
  readonly engine?: string;
  readonly workers?: string;
  readonly dir?: string;
}

/**
 * `holomesh transcribe [--intents FILE] [--engine NAME] [--workers N] FILE.wav… | --dir DIR`:
 * one JSON line per file on stdout. Lists come from the configured database, or, with
 * `--intents`, from the templates alone (no database).
 */
export function registerTranscribe(program: Command): void {
  program
    .command('transcribe')
    .description('transcribe WAV files (16-bit PCM, any rate) and understand them; one JSON line per file')
    .argument('[files...]', 'WAV files')
    .option('--intents <file>', 'another intents file or folder instead of the marketplace intents (its own lists, no database)')
    .option('--engine <name>', 'speech engine: auto, soundswallower or vosk (default: ASR_ENGINE)')
    .option('--workers <n>', 'decoder worker threads (default: SPEECH_WORKERS, else one per core)')
    .option('--dir <dir>', 'transcribe every *.wav file of this folder (sorted by name)')
    .action(async (files: string[], opts: TranscribeCliOptions) => {
      const config = loadConfig();
      const paths = [...files];
      if (opts.dir) paths.push(...(await readdir(opts.dir)).filter((f) => /\.wav$/i.test(f)).sort().map((f) => join(opts.dir as string, f)));
      if (!paths.length) throw new Error('nothing to transcribe: give WAV files or --dir DIR');
      const engineName = (opts.engine ?? config.speech.engine) as 'auto' | 'soundswallower' | 'vosk';
      if (!['auto', 'soundswallower', 'vosk'].includes(engineName)) throw new Error(`unknown engine ${engineName}: use auto, soundswallower or vosk`);
      const set = await loadIntentSet(opts.intents);
      const nlu = createIntentEngine(set, { threshold: config.nluThreshold });
      const lists: LiveLists = opts.intents ? {} : await withDatabaseLists();
      const grammar = buildSpeechGrammar(set, lists);
      const workers = opts.workers !== undefined ? Number(opts.workers) : Math.min(config.speech.workers, paths.length);
      const engine = await createSpeechEngine({
        engine: engineName,
        modelPath: config.speech.modelPath,
        voskModelPath: config.speech.voskModelPath,
        cacheDir: config.dataDir,
        workers: Number.isInteger(workers) && workers > 0 ? workers : 1,
        warmDecoders: 1,
        verifyBelow: config.speech.verifyBelow,
      });
      let failed = 0;
      try {
        await engine.prepare?.(grammar);
        for await (const r of transcribeFiles({ files: paths, engine, grammar, understand: (text) => nlu.recognize(text, lists) })) {
          const line = {
            file: r.file,
            text: r.text,
            intent: r.intent,
            slots: r.slots,
            confidence: round(r.confidence),
            engine: r.engine,
            audioSeconds: round(r.audioSeconds),
            decodeSeconds: round(r.decodeSeconds),
            ...(r.error ? { error: r.error } : {}),
          };
          process.stdout.write(`${JSON.stringify(line)}\n`);
          if (r.error) failed += 1;
        }
      } finally {
        await engine.close();
      }
      // Like cat or grep: the lines of the files that worked, and a failure status for scripts.
      if (failed) throw new Error(`${failed} of ${paths.length} files could not be transcribed (see "error" in their lines)`);
    });
}

async function withDatabaseLists(): Promise<LiveLists> {
  // Imported lazily: `--intents` runs never touch the database code.
  const [{ withDatabase }, { loadLiveLists }] = await Promise.all([import('./context.js'), import('./live-lists.js')]);
  return withDatabase(loadLiveLists);
}

const round = (x: number): number => Math.round(x * 1000) / 1000;
