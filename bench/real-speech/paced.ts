import type { UnderstandResult } from '../../src/cli/transcribe.js';
import type { RecognitionGrammar, SpeechEngine } from '../../src/speech/index.js';
import { VoiceSession } from '../../src/ws/voice-session.js';
import { judge } from './score.js';
import type { Label, Verdict } from './score.js';

/**
 * Real people as a microphone would stream them: N voice sessions at once (the server's
 * `/v1/voice` path without the socket: VoiceSession with its endpointer, one reply per binary
 * frame), each sending 100 ms frames of real recordings on a real-time clock, open-loop (a frame is
 * sent when its audio would have been recorded, answered or not). After each recording the room
 * goes on (`tail`: the noise continuing, or silence) until the endpointer ends the utterance.
 */

export interface PacedRecording {
  readonly name: string;
  readonly label: Label;
  /** The recording, 16 kHz PCM (noise mixed in for a noisy condition). */
  readonly pcm: Int16Array;
  /** What the microphone hears after it, as long as asked for (the same noise going on, or silence). */
  readonly tail: (samples: number) => Int16Array;
}

export interface PacedFigures {
  /** Every frame's reply − the moment its audio ended. */
  readonly lags: number[];
  /** Final results: reply − the moment the frame that ended the utterance (the endpointer's trailing silence) ended. */
  readonly finals: number[];
  /** The command each recording became (the first non-empty final after it began). */
  readonly verdicts: Verdict[];
  /** Finals without words (no speech heard, or rejected). */
  readonly empty: number;
  /** Recordings whose utterance the endpointer had not ended 3 s after the recording. */
  readonly unended: number;
  /** Cores the whole process (every worker thread) used over the run. */
  readonly cores: number;
  /**
   * CPU seconds the process spent per second of audio answered: what one live session costs, which
   * a busy machine does not change (it only delays the work). 2 / this = sessions 2 free cores carry.
   */
  readonly cpuPerAudioSecond: number;
  readonly rssMiB: number;
}

export interface PacedRun {
  readonly engine: SpeechEngine;
  readonly grammar: RecognitionGrammar;
  readonly understand: (text: string) => UnderstandResult;
  readonly recordings: readonly PacedRecording[];
  readonly sampleRate: number;
}

/** Seconds of audio per frame a client sends. */
export const FRAME_S = 0.1;
/** The most the microphone stays open after a recording, waiting for the endpointer. */
export const MAX_TAIL_S = 3;
/** The speaker's pause before the next command. */
const PAUSE_MS = 300;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** `sessions` voice sessions, started `staggerMs` apart in all, each speaking command after command for `seconds`. */
export async function pacedSessions(sessions: number, seconds: number, staggerMs: number, run: PacedRun): Promise<PacedFigures> {
  const lags: number[] = [];
  const finals: number[] = [];
  const verdicts: Verdict[] = [];
  let empty = 0;
  let unended = 0;
  const frame = Math.round(run.sampleRate * FRAME_S);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: sessions }, async (_, s) => {
      await sleep(t0 + (s * staggerMs) / sessions - performance.now());
      /** When each frame sent and not yet answered ended (one reply per frame, in order). */
      const recorded: number[] = [];
      let texts: string[] = [];
      let onFinal: (() => void) | null = null;
      let warmedUp: (() => void) | null = null;
      const session = new VoiceSession({
        engine: run.engine,
        grammar: async () => run.grammar,
        runCommand: null,
        send: (reply) => {
          if (!('partial' in reply) && !('text' in reply)) return;
          if (warmedUp) {
            warmedUp();
            warmedUp = null;
            return;
          }
          const at = recorded.shift();
          if (at === undefined) return;
          const lag = performance.now() - at;
          lags.push(lag);
          if ('text' in reply) {
            finals.push(lag);
            const text = String(reply.text ?? '');
            if (!text) empty++;
            texts.push(text);
            onFinal?.();
          }
        },
        close: () => undefined,
      });
      session.onText(JSON.stringify({ config: { sample_rate: run.sampleRate } }));
      // Connected before speaking: the first frame opens the stream (and its voice detector), not counted.
      await new Promise<void>((resolve) => {
        warmedUp = resolve;
        session.onBinary(new Uint8Array(frame * 2));
      });
      let clock = performance.now();
      const send = async (pcm: Int16Array): Promise<void> => {
        clock += (pcm.length / run.sampleRate) * 1000;
        await sleep(clock - performance.now());
        recorded.push(clock);
        session.onBinary(new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength));
      };
      // Each session starts at another recording, so the streams do not speak in unison.
      let k = s * 7;
      try {
        while (performance.now() < until) {
          const recording = run.recordings[k++ % run.recordings.length];
          texts = [];
          let ended = false;
          const final = new Promise<void>((resolve) => (onFinal = () => { ended = true; resolve(); }));
          const { pcm } = recording;
          for (let i = 0; i < pcm.length; i += frame) await send(pcm.subarray(i, i + frame));
          const tail = recording.tail(Math.round(MAX_TAIL_S * run.sampleRate));
          for (let i = 0; i < tail.length && !ended; i += frame) await send(tail.subarray(i, i + frame));
          await Promise.race([final, sleep(MAX_TAIL_S * 1000)]);
          if (!ended) unended++;
          // A final that came while the recording was still playing (a pause cut it) counts as what it became.
          const text = texts.find((t) => t.trim() !== '') ?? '';
          const understood = text ? run.understand(text) : null;
          verdicts.push(judge(recording.label, understood?.intent ?? null, understood?.slots ?? {}));
          await sleep(PAUSE_MS);
          clock = performance.now();
        }
      } finally {
        await session.dispose();
      }
    }),
  );
  const used = process.cpuUsage(cpu0);
  const cpuMs = (used.user + used.system) / 1000;
  // Every reply answers one frame of FRAME_S seconds.
  const answeredS = lags.length * FRAME_S;
  return { lags, finals, verdicts, empty, unended, cores: cpuMs / (performance.now() - t0), cpuPerAudioSecond: cpuMs / 1000 / answeredS, rssMiB: process.memoryUsage().rss / 1048576 };
}
