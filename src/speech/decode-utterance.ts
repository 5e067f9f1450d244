import type { Transcript } from '../contracts.js';
import { canVerifyAtRate, type RecognitionGrammar, type SpeechEngine } from './engine.js';
import { float32ToPcm16, pcm16ToFloat32 } from './pcm.js';
import { Resampler } from './resample.js';
import { VoiceActivityDetector } from './voice-activity.js';

export interface DecodeUtteranceOptions {
  /**
   * Listen for speech as the audio goes by: when there was none (silence, noise) the result is
   * null and the recogniser's final pass never runs, whatever words it would have found.
   */
  readonly detectSpeech?: boolean;
}

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
  options: DecodeUtteranceOptions & { readonly detectSpeech: true },
): Promise<Transcript | null>;
export async function decodeUtterance(engine: SpeechEngine, grammar: RecognitionGrammar, samples: Int16Array, sampleRate: number, options?: DecodeUtteranceOptions): Promise<Transcript>;
export async function decodeUtterance(
  engine: SpeechEngine,
  grammar: RecognitionGrammar,
  samples: Int16Array,
  sampleRate: number,
  options: DecodeUtteranceOptions = {},
): Promise<Transcript | null> {
  const resampler = sampleRate === engine.sampleRate ? null : new Resampler(sampleRate, engine.sampleRate);
  const chunk = Math.round(sampleRate / 10);
  const stream = await engine.openStream(grammar);
  // Created after the stream opened, so a stream that fails to open leaves no detector behind.
  const vad = options.detectSpeech ? await VoiceActivityDetector.create({ sampleRate: engine.sampleRate }).catch(async (err: unknown) => {
    await stream.close();
    throw err;
  }) : null;
  const send = async (pcm: Int16Array) => {
    vad?.push(pcm);
    await stream.accept(pcm);
  };
  try {
    for (let i = 0; i < samples.length; i += chunk) {
      const pcm = samples.subarray(i, i + chunk);
      await send(resampler ? float32ToPcm16(resampler.process(pcm16ToFloat32(pcm))) : pcm);
    }
    const tail = resampler?.flush();
    if (tail && tail.length > 0) await send(float32ToPcm16(tail));
    if (vad && !vad.activity.hasSpeech) return null;
    return await stream.finish({ verify: canVerifyAtRate(sampleRate) });
  } finally {
    vad?.close();
    await stream.close();
  }
}
