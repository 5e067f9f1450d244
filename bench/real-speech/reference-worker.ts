import { readFile } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import createModule from 'soundswallower';
import { pcm16ToFloat32 } from '../../src/speech/pcm.js';
import { resample } from '../../src/speech/resample.js';
import { parseWav } from '../../src/speech/wav.js';
import type { ReferenceInit, ReferenceReply, ReferenceRequest } from './reference.js';

/**
 * The reference decode, in a worker thread: SoundSwallower as it comes, with the model folder the
 * engine uses and its own JSGF compiler (`set_grammar`), the whole recording in one pass. No
 * conditioning, no denoising, no second pass, nothing of the service's pipeline.
 */

const port = parentPort;
if (!port) throw new Error('reference-worker must run in a worker thread');
const { modelPath, jsgf, sampleRate } = workerData as ReferenceInit;

try {
  const module = await createModule();
  const decoder = new module.Decoder({ hmm: modelPath, samprate: sampleRate, loglevel: 'FATAL' });
  await decoder.initialize();
  decoder.set_grammar(jsgf);
  port.on('message', async (request: ReferenceRequest) => {
    const started = performance.now();
    let reply: ReferenceReply;
    try {
      const wav = parseWav(await readFile(request.file));
      const audio = pcm16ToFloat32(wav.samples);
      const samples = wav.sampleRate === sampleRate ? audio : resample(audio, wav.sampleRate, sampleRate);
      const decodeStart = performance.now();
      decoder.start();
      decoder.process_audio(samples, false, true);
      decoder.stop();
      const text = decoder.get_text().trim();
      reply = { seq: request.seq, text, audioSeconds: samples.length / sampleRate, decodeSeconds: (performance.now() - decodeStart) / 1000 };
    } catch (error) {
      reply = { seq: request.seq, text: '', audioSeconds: 0, decodeSeconds: (performance.now() - started) / 1000, error: (error as Error).message };
    }
    port.postMessage(reply);
  });
  port.postMessage({ ready: true });
} catch (error) {
  port.postMessage({ ready: false, error: (error as Error).message });
}
