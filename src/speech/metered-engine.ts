import { performance } from 'node:perf_hooks';
import type { Gauge, Histogram } from 'prom-client';
import type { RecognizerStream, SpeechEngine } from './engine.js';

export interface SpeechMetrics {
  /** Decoder streams open now (one per voice session that has sent audio). */
  readonly audioStreams: Gauge;
  /** From the end of an utterance (endpoint, eof or reset) to its final transcript. */
  readonly finalTranscript: Histogram;
}

/** `engine`, with its open streams counted and each final transcript timed. */
export function meteredEngine(engine: SpeechEngine, metrics: SpeechMetrics): SpeechEngine {
  return {
    // Getters: a deferred engine changes its name once the real one has loaded.
    get name() { return engine.name; },
    get sampleRate() { return engine.sampleRate; },
    async openStream(grammar) {
      const stream = await engine.openStream(grammar);
      metrics.audioStreams.inc();
      return meteredStream(stream, metrics);
    },
    ...(engine.prepare ? { prepare: (grammar) => engine.prepare!(grammar) } : {}),
    close: () => engine.close(),
  };
}

function meteredStream(stream: RecognizerStream, metrics: SpeechMetrics): RecognizerStream {
  let open = true;
  return {
    accept: (pcm) => stream.accept(pcm),
    async finish(options) {
      const started = performance.now();
      const transcript = await stream.finish(options);
      metrics.finalTranscript.observe((performance.now() - started) / 1000);
      return transcript;
    },
    async close() {
      if (open) metrics.audioStreams.dec();
      open = false;
      await stream.close();
    },
  };
}
