import { readFile } from 'node:fs/promises';
import type { Slots } from '../contracts.js';
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
