import { Errors } from '../errors.js';

/** Below this the engines hear nothing useful, and upsampling a long low-rate file is what costs. */
export const MIN_UPLOAD_SAMPLE_RATE = 8_000;

/**
 * Refuses an uploaded utterance before any of it is decoded: a rate below 8 kHz (415), or longer
 * than MAX_UTTERANCE_S (413), the same cap a WebSocket utterance has. A small file whose header
 * claims a low rate would otherwise be minutes of audio to resample and decode.
 */
export function checkUploadedAudio(sampleCount: number, sampleRate: number, maxUtteranceS: number): void {
  if (sampleRate < MIN_UPLOAD_SAMPLE_RATE) {
    throw Errors.UnsupportedAudio(`sample rate ${sampleRate} Hz is below ${MIN_UPLOAD_SAMPLE_RATE} Hz`);
  }
  if (sampleCount > maxUtteranceS * sampleRate) {
    throw Errors.PayloadTooLarge(`${maxUtteranceS} s of audio, got ${(sampleCount / sampleRate).toFixed(1)} s`);
  }
}
