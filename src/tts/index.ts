import { createRequire } from 'node:module';
import type { Worker } from 'node:worker_threads';
import { spawnModuleWorker } from '../worker-thread.js';
import { Errors } from '../errors.js';
import type { TtsReply, TtsRequest } from './espeak-worker.js';

export interface SynthesizedSpeech {
  readonly sampleRate: number;
  readonly samples: Int16Array;
}

/** Offline text-to-speech for spoken replies (a designer hears their sales summary on a speaker). */
export interface SpeechSynthesizer {
  /** @throws HM_ERR_VOICE_UNAVAILABLE when synthesis is not possible here. */
  synthesize(text: string): Promise<SynthesizedSpeech>;
  close(): Promise<void>;
}

const MAX_TEXT = 1_000;

/**
 * eSpeak NG compiled to WASM (the optional npm package `espeak-ng`), in one worker thread so
 * synthesis never blocks the event loop. Returns null when the package is not installed.
 */
export async function createSpeechSynthesizer(options: { voice?: string; wordsPerMinute?: number } = {}): Promise<SpeechSynthesizer | null> {
  // Only check that the optional package is installed; the worker loads it on first use.
  try {
    createRequire(import.meta.url).resolve('espeak-ng');
  } catch {
    return null;
  }
  const entry = new URL(import.meta.url.endsWith('.ts') ? './espeak-worker.ts' : './espeak-worker.js', import.meta.url);
  let worker: Worker | null = null;
  let nextId = 1;
  const pending = new Map<number, { resolve: (s: SynthesizedSpeech) => void; reject: (e: Error) => void }>();
  const start = (): Worker => {
    const w = spawnModuleWorker(entry, null);
    w.unref();
    w.on('message', (reply: TtsReply) => {
      const waiter = pending.get(reply.id);
      pending.delete(reply.id);
      if (!waiter) return;
      if (reply.ok) waiter.resolve({ sampleRate: reply.sampleRate, samples: reply.samples });
      else waiter.reject(Errors.SpeechUnavailable(`speech synthesis failed: ${reply.error}`));
    });
    w.on('error', (err) => {
      for (const waiter of pending.values()) waiter.reject(Errors.SpeechUnavailable(`speech synthesis failed: ${err.message}`));
      pending.clear();
      worker = null; // the next request starts a fresh worker
    });
    return w;
  };
  return {
    synthesize(text) {
      const clean = text.replace(/\s+/g, ' ').trim().slice(0, MAX_TEXT);
      if (!clean) return Promise.resolve({ sampleRate: 16_000, samples: new Int16Array(0) });
      worker ??= start();
      const id = nextId++;
      const request: TtsRequest = { id, text: clean, voice: options.voice ?? 'en-us', wordsPerMinute: options.wordsPerMinute ?? 165 };
      const active = worker;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        active.ref(); // keep the process alive while a request is out
        active.postMessage(request);
      }).finally(() => { if (pending.size === 0) active.unref(); }) as Promise<SynthesizedSpeech>;
    },
    async close() {
      await worker?.terminate();
      worker = null;
    },
  };
}
