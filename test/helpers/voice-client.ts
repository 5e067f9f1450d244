import WebSocket from 'ws';

export interface VoiceExchange {
  /** Every JSON frame the server sent, in order. */
  readonly frames: Record<string, unknown>[];
  /** The final results (frames with `text` and no `type`): at each endpoint, and at eof. */
  readonly finals: Record<string, unknown>[];
  /** The last final result that heard something (the eof final after an endpoint is empty). */
  readonly heard: Record<string, unknown> | undefined;
  readonly closeCode: number;
}

export interface StreamOptions {
  readonly token?: string;
  readonly session?: string;
  readonly sampleRate?: number;
  /** Extra config fields (words, max_alternatives, phrase_list …). */
  readonly config?: Record<string, unknown>;
  /** Seconds per binary frame. Default 0.2 (as vosk-server's example clients). */
  readonly frameSeconds?: number;
  /** Send `{"eof" : 1}` at the end (default) or leave the stream open and just wait. */
  readonly eof?: boolean;
  /** Wait for each frame's reply before sending the next (lock-step, like vosk's test client). */
  readonly lockStep?: boolean;
}

export interface OpenVoice {
  readonly socket: WebSocket;
  /** JSON frames received so far (collected from the first byte on). */
  readonly frames: Record<string, unknown>[];
  /** Resolves with the close code. */
  readonly closed: Promise<number>;
}

/** Opens `/v1/voice` as a plain vosk-server client would. */
export function openVoice(baseUrl: string, options: { token?: string; session?: string; onFrame?: () => void } = {}): Promise<OpenVoice> {
  const url = new URL('/v1/voice', baseUrl.replace(/^http/, 'ws'));
  if (options.session) url.searchParams.set('session', options.session);
  const socket = new WebSocket(url, options.token ? { headers: { authorization: `Bearer ${options.token}` } } : {});
  const frames: Record<string, unknown>[] = [];
  socket.on('message', (data, isBinary) => {
    if (!isBinary) frames.push(JSON.parse(data.toString()) as Record<string, unknown>);
    options.onFrame?.();
  });
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ socket, frames, closed }));
    socket.once('error', reject);
    socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

/** Streams PCM16 audio: config, fixed-size frames, then eof; collects everything until close. */
export async function streamAudio(baseUrl: string, pcm: Int16Array, options: StreamOptions = {}): Promise<VoiceExchange> {
  let waiting: (() => void) | null = null;
  const { socket, frames, closed } = await openVoice(baseUrl, { ...options, onFrame: () => waiting?.() });
  const rate = options.sampleRate ?? 16_000;
  socket.send(JSON.stringify({ config: { sample_rate: rate, ...options.config } }));
  const step = Math.round(rate * (options.frameSeconds ?? 0.2));
  const bytes = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  for (let i = 0; i < pcm.length; i += step) {
    const replied = options.lockStep ? new Promise<void>((r) => { waiting = r; }) : null;
    socket.send(bytes.subarray(i * 2, Math.min(pcm.length, i + step) * 2));
    await replied;
  }
  if (options.eof !== false) socket.send('{"eof" : 1}');
  else setTimeout(() => socket.close(1000), 3_000);
  const closeCode = await closed;
  const finals = frames.filter((f) => 'text' in f && !('type' in f));
  return { frames, finals, heard: finals.filter((f) => f.text !== '').at(-1), closeCode };
}
