import type { Transcript } from '../contracts.js';
import type { RecognitionGrammar, SpeechEngine } from './engine.js';
import { float32ToPcm16, pcm16ToFloat32 } from './pcm.js';
import { resample } from './resample.js';

/**
 * Decodes one whole utterance (e.g. an uploaded WAV): resampled to the engine's rate, then
 * streamed through a recogniser in 0.1 s chunks exactly as a live client's audio would be.
 */
export async function decodeUtterance(
  engine: SpeechEngine,
  grammar: RecognitionGrammar,
  samples: Int16Array,
  sampleRate: number,
): Promise<Transcript> {
  const pcm = sampleRate === engine.sampleRate ? samples : float32ToPcm16(resample(pcm16ToFloat32(samples), sampleRate, engine.sampleRate));
  const chunk = Math.round(engine.sampleRate / 10);
  const stream = await engine.openStream(grammar);
  try {
    for (let i = 0; i < pcm.length; i += chunk) await stream.accept(pcm.subarray(i, i + chunk));
    return await stream.finish();
  } finally {
    await stream.close();
  }
}
