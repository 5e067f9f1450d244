import { readFile } from 'node:fs/promises';
import { transcribeFiles } from '../../src/cli/transcribe.js';
import type { UnderstandResult } from '../../src/cli/transcribe.js';
import type { RecognitionGrammar, SpeechEngine } from '../../src/speech/index.js';
import { parseWav } from '../../src/speech/wav.js';
import { VoiceSession } from '../../src/ws/voice-session.js';

/** One recording through the service's pipeline: what was heard and understood, and the time it took. */
export interface PipelineResult {
  readonly text: string;
  readonly intent: string | null;
  readonly slots: UnderstandResult['slots'];
  readonly audioSeconds: number;
  readonly decodeSeconds: number;
  readonly error?: string;
}

export interface PipelineRun {
  readonly engine: SpeechEngine;
  readonly grammar: RecognitionGrammar;
  readonly understand: (text: string) => UnderstandResult;
  /** Recordings decoded at once (one stream each; the pool pins each stream to a worker). */
  readonly concurrency: number;
}

/**
 * `holomesh transcribe --intents`'s own loop (transcribeFiles: 0.1 s chunks, then finish), over
 * `concurrency` shards at once so that every worker has a stream; results in file order.
 */
export async function transcribeAll(files: readonly string[], run: PipelineRun): Promise<PipelineResult[]> {
  const results = new Map<string, PipelineResult>();
  const shards = Array.from({ length: Math.max(1, run.concurrency) }, (_, s) => files.filter((_, i) => i % Math.max(1, run.concurrency) === s));
  await Promise.all(shards.map(async (shard) => {
    for await (const r of transcribeFiles({ files: shard, engine: run.engine, grammar: run.grammar, understand: run.understand })) results.set(r.file, r);
  }));
  return files.map((f) => results.get(f) as PipelineResult);
}

/**
 * The same recordings through a voice session (the server's path without the socket): its
 * endpointer ends the utterance, the final pass starts shortly before the detected speech. Frames
 * go in as fast as the session takes them, then `eof`. The command is the first non-empty final
 * (what the service would act on); an utterance cut in two by a pause counts as what it became.
 */
export async function transcribeWithEndpointer(files: readonly string[], run: PipelineRun): Promise<PipelineResult[]> {
  const results: PipelineResult[] = new Array(files.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.max(1, run.concurrency) }, async () => {
    while (next < files.length) {
      const i = next++;
      results[i] = await sessionTranscribe(files[i], run);
    }
  }));
  return results;
}

async function sessionTranscribe(file: string, run: PipelineRun): Promise<PipelineResult> {
  const wav = parseWav(await readFile(file));
  const audioSeconds = wav.samples.length / wav.sampleRate;
  const finals: string[] = [];
  let failure: string | undefined;
  const started = performance.now();
  let session: VoiceSession | null = null;
  await new Promise<void>((resolve) => {
    session = new VoiceSession({
      engine: run.engine,
      grammar: async () => run.grammar,
      runCommand: null,
      send: (frame) => {
        if (typeof frame.text === 'string') finals.push(frame.text);
        if (frame.type === 'error') failure = String(frame.message);
      },
      close: () => resolve(),
    });
    session.onText(JSON.stringify({ config: { sample_rate: wav.sampleRate } }));
    const frame = Math.round(wav.sampleRate / 10);
    for (let i = 0; i < wav.samples.length; i += frame) {
      const pcm = wav.samples.slice(i, i + frame);
      session.onBinary(new Uint8Array(pcm.buffer));
    }
    session.onText('{"eof" : 1}');
  });
  // Stops the session's idle timer.
  await (session as VoiceSession | null)?.dispose();
  const decodeSeconds = (performance.now() - started) / 1000;
  const text = finals.find((t) => t.trim() !== '') ?? '';
  const understood = text ? run.understand(text) : null;
  return { text, intent: understood?.intent ?? null, slots: understood?.slots ?? {}, audioSeconds, decodeSeconds, ...(failure ? { error: failure } : {}) };
}
