import { collectDefaultMetrics, Counter, Gauge, Histogram, register as processRegistry, Registry } from 'prom-client';
import type { SpeechMetrics } from './speech/metered-engine.js';

/**
 * The service's Prometheus metrics. Each app has its own registry (two apps can share a process,
 * as in the tests); the process-wide metrics (CPU, memory, event-loop delay, GC) are collected
 * once per process and joined to it when scraped.
 */
export interface Metrics extends SpeechMetrics {
  readonly registry: Registry;
  /** HTTP requests, from fastify receiving them (headers read) until the reply is sent. */
  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status_code'>;
  /** Whole commands, by transcript source and outcome ("unavailable": not acknowledged, a 503). */
  readonly commandDuration: Histogram<'source' | 'outcome'>;
  /** How long a read-only command's log row waited from being handed over until it was committed. */
  readonly logCommitWait: Histogram;
  /** Rows per group-committed INSERT of the command log. */
  readonly logBatchRows: Histogram;
  /** Utterances without speech (silence, noise, a trailing tail): answered empty, never acted on. */
  readonly noSpeech: Counter<'transport'>;
}

/** Seconds: commands are answered in milliseconds, and a slow disk's commit shows as a longer tail. */
const LATENCY_BUCKETS = [0.001, 0.002, 0.005, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

let processMetricsStarted = false;

export function createMetrics(): Metrics {
  if (!processMetricsStarted) {
    collectDefaultMetrics({ register: processRegistry });
    processMetricsStarted = true;
  }
  const registry = new Registry();
  return {
    registry,
    httpRequestDuration: new Histogram({
      name: 'holomesh_http_request_duration_seconds',
      help: 'HTTP requests by method, route pattern and status (WebSocket sessions are not requests here)',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    commandDuration: new Histogram({
      name: 'holomesh_command_duration_seconds',
      help: 'Time from receiving a command (text or transcript) to its logged answer',
      labelNames: ['source', 'outcome'] as const,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    logCommitWait: new Histogram({
      name: 'holomesh_command_log_commit_seconds',
      help: 'Time a read-only command waited for its command-log row to be committed (group commit)',
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    logBatchRows: new Histogram({
      name: 'holomesh_command_log_batch_rows',
      help: 'Rows per group-committed INSERT of the command log',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200],
      registers: [registry],
    }),
    noSpeech: new Counter({
      name: 'holomesh_speech_no_speech_total',
      help: 'Utterances the voice-activity detector found no speech in (answered with an empty final, not acted on), by transport',
      labelNames: ['transport'] as const,
      registers: [registry],
    }),
    audioStreams: new Gauge({
      name: 'holomesh_audio_streams',
      help: 'Speech decoder streams open on this instance (voice sessions that have sent audio)',
      registers: [registry],
    }),
    finalTranscript: new Histogram({
      name: 'holomesh_speech_final_seconds',
      help: 'Time from the end of an utterance (endpoint, eof or reset) to its final transcript',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2.5, 5],
      registers: [registry],
    }),
  };
}

/** The exposition text of `metrics` and of the process-wide metrics. */
export async function scrape(metrics: Metrics): Promise<{ contentType: string; body: string }> {
  const merged = Registry.merge([metrics.registry, processRegistry]);
  return { contentType: merged.contentType, body: await merged.metrics() };
}
