import { SpeechError } from './errors.js';
import { mixToMono } from './pcm.js';

/** A decoded WAV file, mixed down to mono. */
export interface WavAudio {
  readonly sampleRate: number;
  /** Channels in the file (the samples are already mixed down to one). */
  readonly channels: number;
  readonly samples: Int16Array;
}

const FORMAT_PCM = 1;
const FORMAT_EXTENSIBLE = 0xfffe;

function invalid(message: string): SpeechError {
  return new SpeechError('HM_ERR_SPEECH_WAV_INVALID', `Invalid WAV: ${message}`);
}

function tag(view: DataView, offset: number): string {
  return String.fromCharCode(view.getUint8(offset), view.getUint8(offset + 1), view.getUint8(offset + 2), view.getUint8(offset + 3));
}

/**
 * Parses a RIFF/WAVE file of 16-bit PCM, any rate, any channel count (mixed down to mono).
 * @throws SpeechError `HM_ERR_SPEECH_WAV_INVALID` with what is wrong (not RIFF, not PCM, not 16-bit, no data…).
 */
export function parseWav(bytes: Uint8Array): WavAudio {
  if (bytes.byteLength < 12) throw invalid(`file too short (${bytes.byteLength} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (tag(view, 0) !== 'RIFF' || tag(view, 8) !== 'WAVE') throw invalid('not a RIFF/WAVE file');
  let format: { audioFormat: number; channels: number; sampleRate: number; bits: number; blockAlign: number } | null = null;
  let offset = 12;
  while (offset + 8 <= bytes.byteLength) {
    const id = tag(view, offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > bytes.byteLength) throw invalid('truncated fmt chunk');
      let audioFormat = view.getUint16(body, true);
      if (audioFormat === FORMAT_EXTENSIBLE && size >= 40) audioFormat = view.getUint16(body + 24, true);
      format = {
        audioFormat,
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        blockAlign: view.getUint16(body + 12, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      if (!format) throw invalid('data chunk before fmt chunk');
      if (format.audioFormat !== FORMAT_PCM) throw invalid(`unsupported encoding ${format.audioFormat} (only integer PCM)`);
      if (format.bits !== 16) throw invalid(`unsupported sample size ${format.bits} bits (only 16-bit)`);
      if (format.channels < 1) throw invalid('zero channels');
      if (format.sampleRate < 1000 || format.sampleRate > 384_000) throw invalid(`implausible sample rate ${format.sampleRate}`);
      // Streamed WAVs may carry a placeholder size: take what is there.
      const available = Math.min(size, bytes.byteLength - body);
      return { sampleRate: format.sampleRate, channels: format.channels, samples: mixToMono(bytes.subarray(body, body + available), format.channels) };
    }
    offset = body + size + (size & 1);
  }
  throw invalid(format ? 'no data chunk' : 'no fmt chunk');
}

/** Writes mono 16-bit PCM as a canonical 44-byte-header WAV file. */
export function writeWav(samples: Int16Array, sampleRate: number): Uint8Array {
  const bytes = new Uint8Array(44 + samples.length * 2);
  const view = new DataView(bytes.buffer);
  const put = (offset: number, text: string): void => {
    for (let i = 0; i < 4; i++) view.setUint8(offset + i, text.charCodeAt(i));
  };
  put(0, 'RIFF');
  view.setUint32(4, 36 + samples.length * 2, true);
  put(8, 'WAVE');
  put(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, FORMAT_PCM, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  put(36, 'data');
  view.setUint32(40, samples.length * 2, true);
  for (let i = 0; i < samples.length; i++) view.setInt16(44 + i * 2, samples[i], true);
  return bytes;
}
