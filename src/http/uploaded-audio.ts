import { Errors, isHoloMeshError } from '../errors.js';
import { parseWav } from '../speech/wav.js';
import { bytesToPcm16 } from '../speech/pcm.js';
import { decodeOpusFile, isOgg, isWebm } from '../speech/opus-file.js';
import { isSupportedSampleRate, SUPPORTED_SAMPLE_RATES } from '../speech/sample-rates.js';

/** Below this the engines hear nothing useful, and upsampling a long low-rate file is what costs. */
export const MIN_UPLOAD_SAMPLE_RATE = 8_000;

/** The formats `POST /v1/speech-to-intent` takes, named in every 415 it answers. */
export const ACCEPTED_AUDIO = `accepted: a 16-bit PCM WAV file (audio/wav), Opus in Ogg or WebM (audio/ogg, audio/webm: what browsers record), or raw 16-bit little-endian mono PCM as application/octet-stream with ?rate= one of ${SUPPORTED_SAMPLE_RATES.join(', ')}`;

const WAV_TYPE = /^audio\/(wav|x-wav|wave|vnd\.wave)\b/i;
const OPUS_TYPE = /^(audio|video)\/(ogg|opus|webm)\b/i;

/** A RIFF/WAVE header, whatever the request's content type says. */
const isWav = (body: Uint8Array): boolean => body.length >= 12 && ascii(body, 0, 4) === 'RIFF' && ascii(body, 8, 12) === 'WAVE';
const ascii = (bytes: Uint8Array, from: number, to: number): string => String.fromCharCode(...bytes.subarray(from, to));

export interface UploadedAudio {
  readonly samples: Int16Array;
  readonly sampleRate: number;
}

/**
 * An uploaded utterance as mono PCM16: a WAV file, Opus in Ogg or WebM (each recognised by its
 * header under any or no content type, or by its type), or raw PCM16 as
 * `application/octet-stream` with its rate. Every refusal of the audio itself is a 415 naming
 * the accepted formats; more than `maxUtteranceS` of audio is a 413, refused before it is decoded.
 */
export async function readUploadedAudio(body: unknown, contentType: string | undefined, rate: number | undefined, maxUtteranceS: number): Promise<UploadedAudio> {
  const type = contentType ?? 'no content type';
  if (!(body instanceof Uint8Array) || body.length === 0) throw Errors.UnsupportedAudio(`no audio in the request (${type}); ${ACCEPTED_AUDIO}`);
  let audio: UploadedAudio;
  try {
    if (isWav(body) || WAV_TYPE.test(type)) audio = parseWav(body);
    else if (isOgg(body) || isWebm(body) || OPUS_TYPE.test(type)) audio = await decodeOpusFile(body, maxUtteranceS);
    else if (type.startsWith('application/octet-stream')) {
      if (!isSupportedSampleRate(rate)) {
        throw Errors.UnsupportedAudio(`raw PCM needs ?rate= one of ${SUPPORTED_SAMPLE_RATES.join(', ')}`);
      }
      audio = { samples: bytesToPcm16(body), sampleRate: rate };
    } else throw Errors.UnsupportedAudio(`${type} is not an accepted audio format`);
    checkUploadedAudio(audio.samples.length, audio.sampleRate, maxUtteranceS);
  } catch (err) {
    // The same error with what would have been taken instead.
    if (isHoloMeshError(err) && err.statusCode === 415) throw Object.assign(err, { message: `${err.message}; ${ACCEPTED_AUDIO}` });
    throw err;
  }
  return audio;
}

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
