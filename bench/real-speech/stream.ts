import type { UnderstandResult } from '../../src/cli/transcribe.js';
import { VoiceSession } from '../../src/ws/voice-session.js';
import { FRAME_S, MAX_TAIL_S } from './paced.js';
import type { PacedRun } from './paced.js';

/** One final result of the stream, and where it came relative to its recording's end. */
export interface StreamFinal {
  readonly text: string;
  /** Seconds from the end of the recording to the end of the frame the final answered (negative: during it). */
  readonly atS: number;
  readonly noSpeech: boolean;
}

/** One recording of the stream: the command it became and every final that came while it (and its room) played. */
export interface StreamResult {
  readonly name: string;
  readonly text: string;
  readonly intent: string | null;
  readonly slots: UnderstandResult['slots'];
  readonly finals: readonly StreamFinal[];
  /** The utterance was still open MAX_TAIL_S after the recording. */
  readonly unended: boolean;
  readonly audioSeconds: number;
  readonly decodeSeconds: number;
}

/**
 * The paced run's stream without its clock: one voice session hears every recording in turn, the
 * room going on after each (the noise continuing, or silence) until a final comes, as a live
 * session does; each frame is handled before the next is sent, so the result does not depend on
 * the machine's load. The command is the first non-empty final after the recording began.
 */
export async function transcribeAsStream(run: PacedRun): Promise<StreamResult[]> {
  const frame = Math.round(run.sampleRate * FRAME_S);
  let finals: StreamFinal[] = [];
  /** Seconds of the current recording (and its room) sent so far, and the recording's length. */
  let sentS = 0;
  let lengthS = 0;
  const session = new VoiceSession({
    engine: run.engine,
    grammar: async () => run.grammar,
    runCommand: null,
    send: (reply) => {
      if (typeof reply.text === 'string') finals.push({ text: reply.text, atS: sentS - lengthS, noSpeech: reply.outcome === 'no_speech' });
    },
    close: () => undefined,
  });
  const send = async (pcm: Int16Array): Promise<void> => {
    sentS += pcm.length / run.sampleRate;
    session.onBinary(new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength));
    await session.drained();
  };
  session.onText(JSON.stringify({ config: { sample_rate: run.sampleRate } }));
  // Connected before speaking, as in the paced run: one frame of digital silence opens the stream.
  await send(new Int16Array(frame));
  const results: StreamResult[] = [];
  try {
    for (const recording of run.recordings) {
      finals = [];
      sentS = 0;
      const { pcm } = recording;
      lengthS = pcm.length / run.sampleRate;
      const started = performance.now();
      for (let i = 0; i < pcm.length; i += frame) await send(pcm.subarray(i, i + frame));
      const tail = recording.tail(Math.round(MAX_TAIL_S * run.sampleRate));
      for (let i = 0; i < tail.length && finals.length === 0; i += frame) await send(tail.subarray(i, i + frame));
      const text = finals.find((f) => f.text.trim() !== '')?.text ?? '';
      const understood = text ? run.understand(text) : null;
      results.push({
        name: recording.name,
        text,
        intent: understood?.intent ?? null,
        slots: understood?.slots ?? {},
        finals: [...finals],
        unended: finals.length === 0,
        audioSeconds: sentS,
        decodeSeconds: (performance.now() - started) / 1000,
      });
    }
  } finally {
    await session.dispose();
  }
  return results;
}
