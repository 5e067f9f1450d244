import { parentPort, threadId, workerData } from 'node:worker_threads';

/**
 * A stand-in pool worker for the worker-pool tests: speaks the pool's protocol, answers every
 * request with its thread id, fails to start when told to, and exits on a `crash` request (as a
 * decoder that aborts would).
 */

const port = parentPort;
if (!port) throw new Error('pool-worker must run in a worker thread');
const { failStart } = workerData as { failStart?: boolean };

if (failStart) {
  port.postMessage({ type: 'failed', error: { code: 'HM_ERR_SPEECH_MODEL_NOT_FOUND', message: 'Cannot load the acoustic model in /nowhere' } });
} else {
  port.on('message', (request: { seq: number; type: string }) => {
    if (request.type === 'crash') process.exit(3);
    port.postMessage({ type: 'reply', seq: request.seq, ok: true, value: { thread: threadId, type: request.type } });
  });
  port.postMessage({ type: 'ready' });
}
