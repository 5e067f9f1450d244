/** Conversions between 16-bit PCM and Float32 samples in [-1, 1]. */

export function pcm16ToFloat32(pcm: Int16Array): Float32Array {
  const out = new Float32Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = pcm[i] / 32768;
  return out;
}

export function float32ToPcm16(samples: Float32Array): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.round(samples[i] * 32768);
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
  return out;
}

/** The parts one after another, as one signal. */
export function concatSamples(...parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * Interleaved little-endian 16-bit frames → mono samples, each the mean of its frame's channels;
 * at most `maxFrames`, and a partial last frame is dropped.
 */
export function mixToMono(bytes: Uint8Array, channels: number, maxFrames = Infinity): Int16Array {
  const frames = Math.min(Math.floor(bytes.byteLength / (2 * channels)), maxFrames);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int16Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += view.getInt16((f * channels + c) * 2, true);
    out[f] = Math.round(sum / channels);
  }
  return out;
}

/** Little-endian 16-bit PCM bytes (as sent on the WebSocket) → samples; a trailing odd byte is dropped. */
export function bytesToPcm16(bytes: Uint8Array): Int16Array {
  const n = bytes.byteLength >> 1;
  const out = new Int16Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, n * 2);
  for (let i = 0; i < n; i++) out[i] = view.getInt16(i * 2, true);
  return out;
}
