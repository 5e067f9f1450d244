import type { Transcript } from '../contracts.js';
import type { RecognitionGrammar, SpeechEngine } from './engine.js';
import { float32ToPcm16, pcm16ToFloat32 } from './pcm.js';
import { Resampler } from './resample.js';

/**
 * Decodes one whole utterance (e.g. an uploaded WAV): streamed through a recogniser in 0.1 s
 * chunks exactly as a live client's audio would be, each chunk resampled to the engine's rate
 * just before it is sent. Resampling a whole upload at once held the event loop for ~0.35 s
 * per 15 s of 48 kHz audio; a chunk at a time it is never held for more than a few ms.
 */
export async function decodeUtterance(
  engine: SpeechEngine,
  grammar: RecognitionGrammar,
  samples: Int16Array,
  sampleRate: number,
): Promise<Transcript> {
  const resampler = sampleRate === engine.sampleRate ? null : new Resampler(sampleRate, engine.sampleRate);
  const chunk = Math.round(sampleRate / 10);
  const stream = await engine.openStream(grammar);
  try {
    for (let i = 0; i < samples.length; i += chunk) {
      const pcm = samples.subarray(i, i + chunk);
      await stream.accept(resampler ? float32ToPcm16(resampler.process(pcm16ToFloat32(pcm))) : pcm);
    }
    const tail = resampler?.flush();
    if (tail && tail.length > 0) await stream.accept(float32ToPcm16(tail));
    return await stream.finish();
  } finally {
    await stream.close();
  }
}
