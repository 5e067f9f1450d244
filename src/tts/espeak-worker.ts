import { parentPort } from 'node:worker_threads';
import { parseWav } from '../speech/wav.js';

/** Requests from the synthesizer: speak `text` at `wordsPerMinute`. */
export interface TtsRequest {
  readonly id: number;
  readonly text: string;
  readonly wordsPerMinute: number;
  readonly voice: string;
}

export type TtsReply =
  | { readonly id: number; readonly ok: true; readonly sampleRate: number; readonly samples: Int16Array }
  | { readonly id: number; readonly ok: false; readonly error: string };

if (!parentPort) throw new Error('the eSpeak worker runs only in a worker thread');
const port = parentPort;

// eSpeak NG (WASM) runs its command line once per module instance, so each request gets a fresh
// instance (~0.3 s); the compiled WASM itself is cached by the runtime after the first one.
const { default: factory } = await import('espeak-ng');

port.on('message', async (request: TtsRequest) => {
  try {
    // A leading "-" would read as an option: the text always starts with a space.
    const espeak = await factory({
      arguments: ['-v', request.voice, '-s', String(request.wordsPerMinute), '-w', '/reply.wav', ` ${request.text}`],
      print: () => {},
      printErr: () => {},
    });
    const audio = parseWav(espeak.FS.readFile('/reply.wav'));
    const reply: TtsReply = { id: request.id, ok: true, sampleRate: audio.sampleRate, samples: audio.samples };
    port.postMessage(reply, [audio.samples.buffer as ArrayBuffer]);
  } catch (err) {
    port.postMessage({ id: request.id, ok: false, error: err instanceof Error ? err.message : String(err) } satisfies TtsReply);
  }
});
