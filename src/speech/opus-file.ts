import { Errors, isHoloMeshError } from '../errors.js';

/** Opus in an Ogg or WebM file, decoded to mono PCM16 at the engines' rate. */
export interface OpusAudio {
  readonly container: 'ogg' | 'webm';
  readonly sampleRate: number;
  readonly samples: Int16Array;
}

/** libopus decodes straight to this rate (one of 8, 12, 16, 24, 48 kHz): no resampling after. */
const DECODE_RATE = 16_000;

/** Decoded between turns of the event loop: about a second of audio (20 ms packets), a few ms of CPU. */
const PACKETS_PER_TURN = 50;

/** `OggS` at the start of every Ogg page. */
export const isOgg = (bytes: Uint8Array): boolean => bytes.length >= 4 && bytes[0] === 0x4f && bytes[1] === 0x67 && bytes[2] === 0x67 && bytes[3] === 0x53;
/** The EBML magic a WebM (Matroska) file starts with. */
export const isWebm = (bytes: Uint8Array): boolean => bytes.length >= 4 && bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3;

/**
 * Decodes the first audio track of an Ogg or WebM file when it is Opus (what browsers'
 * MediaRecorder and many devices record). The container is read by mediabunny (pure
 * TypeScript), the Opus packets decoded by libopus compiled to WebAssembly (opus-decoder): both
 * load on the first such upload. The packets' durations are added up before any is decoded, so a
 * file longer than `maxSeconds` costs no decoding; the rest is decoded a second at a time between
 * turns of the event loop.
 * @throws HoloMeshError HM_ERR_VOICE_AUDIO (415) for another codec or a broken file,
 *   HM_ERR_REQUEST_TOO_LARGE (413) past `maxSeconds`.
 */
export async function decodeOpusFile(bytes: Uint8Array, maxSeconds: number): Promise<OpusAudio> {
  const container = isOgg(bytes) ? 'ogg' : isWebm(bytes) ? 'webm' : null;
  if (!container) throw Errors.UnsupportedAudio('not an Ogg or WebM file');
  const { Input, BufferSource, EncodedPacketSink, OGG, WEBM } = await import('mediabunny');
  const input = new Input({ source: new BufferSource(bytes), formats: [OGG, WEBM] });
  const packets: Uint8Array[] = [];
  let channels: number;
  try {
    const track = await input.getPrimaryAudioTrack();
    if (!track) throw Errors.UnsupportedAudio(`the ${container} file holds no audio track`);
    if (track.codec !== 'opus') throw Errors.UnsupportedAudio(`the ${container} file's audio is ${track.codec ?? 'in an unknown codec'}, not Opus`);
    channels = track.numberOfChannels;
    if (channels < 1 || channels > 2) throw Errors.UnsupportedAudio(`Opus with ${channels} channels (only mono or stereo)`);
    let seconds = 0;
    for await (const packet of new EncodedPacketSink(track).packets()) {
      seconds += packet.duration;
      if (seconds > maxSeconds) throw Errors.PayloadTooLarge(`${maxSeconds} s of audio, got more`);
      packets.push(packet.data);
    }
  } catch (err) {
    if (isHoloMeshError(err)) throw err;
    throw Errors.UnsupportedAudio(`a broken ${container} file (${err instanceof Error ? err.message : String(err)})`);
  } finally {
    input.dispose();
  }
  if (packets.length === 0) throw Errors.UnsupportedAudio(`the ${container} file holds no Opus packets`);
  const { OpusDecoder } = await import('opus-decoder');
  const decoder = new OpusDecoder({ sampleRate: DECODE_RATE, channels });
  try {
    await decoder.ready;
    const pieces: Int16Array[] = [];
    for (let i = 0; i < packets.length; i += PACKETS_PER_TURN) {
      const decoded = decoder.decodeFrames(packets.slice(i, i + PACKETS_PER_TURN));
      pieces.push(mixToPcm16(decoded.channelData, decoded.samplesDecoded));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const samples = concat(pieces);
    if (samples.length === 0) throw Errors.UnsupportedAudio(`the ${container} file's Opus packets decode to nothing`);
    return { container, sampleRate: DECODE_RATE, samples };
  } finally {
    decoder.free();
  }
}

/** Float channels in [-1, 1] → one PCM16 channel, their mean. */
function mixToPcm16(channelData: readonly Float32Array[], length: number): Int16Array {
  const out = new Int16Array(length);
  for (let i = 0; i < length; i++) {
    let sum = 0;
    for (const channel of channelData) sum += channel[i]!;
    const mean = Math.max(-1, Math.min(1, sum / channelData.length));
    out[i] = Math.round(mean * 32_767);
  }
  return out;
}

function concat(pieces: readonly Int16Array[]): Int16Array {
  const out = new Int16Array(pieces.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const piece of pieces) {
    out.set(piece, offset);
    offset += piece.length;
  }
  return out;
}
