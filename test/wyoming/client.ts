import { connect, type Socket } from 'node:net';

/** An event as the test client reads it. */
export interface ReadEvent {
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly payload: Buffer;
}

/**
 * A small Wyoming client written for the tests from the protocol's description (not the server's
 * parser): header line, then data bytes, then payload bytes.
 */
export class TestWyomingClient {
  readonly #socket: Socket;
  #buffer = Buffer.alloc(0);
  readonly #events: ReadEvent[] = [];
  #waiting: (() => void) | null = null;
  readonly closed: Promise<void>;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#parse();
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => socket.once('close', () => {
      resolve();
      this.#waiting?.();
    }));
  }

  static async open(port: number): Promise<TestWyomingClient> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new TestWyomingClient(socket);
  }

  get isClosed(): boolean {
    return this.#socket.destroyed || this.#socket.readableEnded;
  }

  send(type: string, data?: Record<string, unknown>, payload?: Uint8Array): void {
    const header: Record<string, unknown> = { type };
    const parts: Buffer[] = [];
    if (data) {
      const json = Buffer.from(JSON.stringify(data));
      header.data_length = json.length;
      parts.push(json);
    }
    if (payload) {
      header.payload_length = payload.byteLength;
      parts.push(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength));
    }
    this.#socket.write(Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), ...parts]));
  }

  sendRaw(bytes: string | Buffer): void {
    this.#socket.write(bytes);
  }

  /** The next event; rejects after `timeoutMs` or when the server closed with nothing more to read. */
  async next(timeoutMs = 30_000): Promise<ReadEvent> {
    const deadline = Date.now() + timeoutMs;
    while (this.#events.length === 0) {
      if (this.#socket.destroyed || this.#socket.readableEnded) throw new Error('connection closed');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no event within the time allowed');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiting = () => { clearTimeout(timer); resolve(); };
      });
      this.#waiting = null;
    }
    return this.#events.shift()!;
  }

  /** Sends one event and reads the answer. */
  async ask(type: string, data?: Record<string, unknown>): Promise<ReadEvent> {
    this.send(type, data);
    return this.next();
  }

  close(): void {
    this.#socket.destroy();
  }

  #parse(): void {
    for (;;) {
      const end = this.#buffer.indexOf(0x0a);
      if (end < 0) return;
      const header = JSON.parse(this.#buffer.subarray(0, end).toString()) as { type: string; data?: Record<string, unknown>; data_length?: number; payload_length?: number };
      const dataLength = header.data_length ?? 0;
      const payloadLength = header.payload_length ?? 0;
      if (this.#buffer.length < end + 1 + dataLength + payloadLength) return;
      const body = this.#buffer.subarray(end + 1);
      const data = { ...header.data, ...(dataLength > 0 ? JSON.parse(body.subarray(0, dataLength).toString()) as object : {}) };
      this.#events.push({ type: header.type, data, payload: Buffer.from(body.subarray(dataLength, dataLength + payloadLength)) });
      this.#buffer = body.subarray(dataLength + payloadLength);
      this.#waiting?.();
    }
  }
}

/** 16-bit little-endian interleaved frames from mono samples copied to `channels` channels. */
export function interleave(pcm: Int16Array, channels: number): Buffer {
  const out = Buffer.alloc(pcm.length * channels * 2);
  for (let i = 0; i < pcm.length; i++) for (let c = 0; c < channels; c++) out.writeInt16LE(pcm[i]!, (i * channels + c) * 2);
  return out;
}
