import { parentPort, workerData } from 'node:worker_threads';
import { SoundSwallowerRecognizer } from './soundswallower-recognizer.js';
import type { DecoderSession } from './decoder-session.js';
import { SpeechError } from './errors.js';
import type { SerializedError, WorkerInit, WorkerReply, WorkerRequest } from './worker-protocol.js';

/** A pool worker: owns one recognizer and the decoders of the streams pinned to it. */

const port = parentPort;
if (!port) throw new SpeechError('HM_ERR_SPEECH_WORKER_FAILED', 'speech-worker must run in a worker thread');

function serialize(error: unknown): SerializedError {
  const e = error as { message?: string; code?: string };
  return { message: e?.message ?? String(error), ...(typeof e?.code === 'string' ? { code: e.code } : {}) };
}

const post = (reply: WorkerReply): void => port.postMessage(reply);
const sessions = new Map<number, DecoderSession>();

async function handle(recognizer: SoundSwallowerRecognizer, request: WorkerRequest): Promise<WorkerReply> {
  const { seq } = request;
  try {
    switch (request.type) {
      case 'prepare':
        await recognizer.prepare(request.grammar);
        return { type: 'reply', seq, ok: true, value: null };
      case 'open':
        sessions.set(request.stream, await recognizer.openSession(request.grammar));
        return { type: 'reply', seq, ok: true, value: null };
      case 'accept':
        return { type: 'reply', seq, ok: true, value: session(request.stream).accept(request.pcm) };
      case 'finish':
        return { type: 'reply', seq, ok: true, value: await session(request.stream).finish(request.options) };
      case 'close':
        sessions.get(request.stream)?.close();
        sessions.delete(request.stream);
        return { type: 'reply', seq, ok: true, value: null };
    }
  } catch (error) {
    return { type: 'reply', seq, ok: false, error: serialize(error) };
  }
}

function session(stream: number): DecoderSession {
  const found = sessions.get(stream);
  if (!found) throw new SpeechError('HM_ERR_SPEECH_STREAM_CLOSED', `unknown stream ${stream}`);
  return found;
}

try {
  const { settings } = workerData as WorkerInit;
  const recognizer = await SoundSwallowerRecognizer.create(settings);
  // Requests are handled strictly in arrival order: a stream's chunks stay in sequence.
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (request: WorkerRequest) => {
    queue = queue.then(async () => post(await handle(recognizer, request)));
  });
  post({ type: 'ready' });
} catch (error) {
  post({ type: 'failed', error: serialize(error) });
}
