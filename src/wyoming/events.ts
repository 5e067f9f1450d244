/**
 * Wyoming events on the wire: one JSON header line `{"type", "data"?, "data_length"?,
 * "payload_length"?}\n`, then `data_length` bytes of JSON merged into `data`, then
 * `payload_length` bytes of payload (audio). This module frames and parses them, within limits.
 */
import { Errors, type HoloMeshError } from '../errors.js';

export type EventData = Readonly<Record<string, unknown>>;

export interface WyomingEvent {
  readonly type: string;
  readonly data: EventData;
  /** Raw bytes after the data (PCM for `audio-chunk`); empty when none. */
  readonly payload: Buffer;
}

export interface FrameLimits {
  /** Longest header line, newline excluded. */
  readonly maxLineBytes: number;
  readonly maxDataBytes: number;
  readonly maxPayloadBytes: number;
}

export const DEFAULT_FRAME_LIMITS: FrameLimits = {
  maxLineBytes: 64 * 1024,
  maxDataBytes: 1024 * 1024,
  // One second of 48 kHz 16-bit stereo is 192 KiB; clients send chunks of ~0.1 s.
  maxPayloadBytes: 1024 * 1024,
};

const NEWLINE = 0x0a;
const TYPE = /^[a-z][a-z0-9_-]{0,63}$/;

/** One event as bytes; `data` travels after the header line, as the reference library writes it. */
export function encodeEvent(type: string, data?: EventData, payload?: Uint8Array): Buffer {
  const header: Record<string, unknown> = { type };
  const parts: Buffer[] = [];
  if (data && Object.keys(data).length > 0) {
    const json = Buffer.from(JSON.stringify(data), 'utf8');
    header.data_length = json.length;
    parts.push(json);
  }
  if (payload && payload.byteLength > 0) {
    header.payload_length = payload.byteLength;
    parts.push(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength));
  }
  return Buffer.concat([Buffer.from(JSON.stringify(header) + '\n', 'utf8'), ...parts]);
}

/** An `error` event for a catalogued error: `{text, code}` as the reference library defines it. */
export function encodeError(err: HoloMeshError): Buffer {
  return encodeEvent('error', { text: err.message, code: err.code });
}

interface Header {
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly dataLength: number;
  readonly payloadLength: number;
}

/**
 * Incremental parser: `push` the bytes as they arrive and get the complete events back.
 * @throws HoloMeshError (HM_ERR_VOICE_PROTOCOL or HM_ERR_REQUEST_TOO_LARGE) on a malformed or
 * oversized event; the stream cannot be resynchronised after that, so the caller closes it.
 */
export class EventParser {
  readonly #limits: FrameLimits;
  /**
   * Bytes of the unfinished line or event, joined only once it is complete: a client trickling
   * a large event a byte at a time must not make every byte copy all the ones before it.
   */
  #parts: Buffer[] = [];
  #partsLength = 0;
  #header: Header | null = null;

  constructor(limits: Partial<FrameLimits> = {}) {
    this.#limits = { ...DEFAULT_FRAME_LIMITS, ...limits };
  }

  /** Bytes received but not yet part of a complete event. */
  get buffered(): number {
    return this.#partsLength;
  }

  push(chunk: Buffer): WyomingEvent[] {
    const events: WyomingEvent[] = [];
    let rest = chunk;
    while (rest.length > 0) {
      if (!this.#header) {
        const end = rest.indexOf(NEWLINE);
        if (end < 0 || this.#partsLength + end > this.#limits.maxLineBytes) {
          this.#keep(rest);
          if (this.#partsLength > this.#limits.maxLineBytes) throw Errors.PayloadTooLarge(`${this.#limits.maxLineBytes} bytes per event line`);
          return events;
        }
        this.#header = this.#parseHeader(this.#take(rest.subarray(0, end)));
        rest = rest.subarray(end + 1);
      }
      const header = this.#header;
      const size = header.dataLength + header.payloadLength;
      const missing = size - this.#partsLength;
      if (rest.length < missing) {
        this.#keep(rest);
        return events;
      }
      const body = this.#take(rest.subarray(0, Math.max(0, missing)));
      rest = rest.subarray(Math.max(0, missing));
      this.#header = null;
      const data = header.dataLength > 0 ? { ...header.data, ...parseObject(body.subarray(0, header.dataLength), 'event data') } : header.data;
      // Copied: the payload must not pin the (possibly much larger) receive buffer.
      events.push({ type: header.type, data, payload: Buffer.from(body.subarray(header.dataLength, size)) });
    }
    // An event with neither data nor payload can end exactly at the end of a chunk.
    if (this.#header && this.#header.dataLength + this.#header.payloadLength === 0) {
      const { type, data } = this.#header;
      this.#header = null;
      events.push({ type, data, payload: Buffer.alloc(0) });
    }
    return events;
  }

  #keep(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.#parts.push(bytes);
    this.#partsLength += bytes.length;
  }

  /** The kept bytes followed by `last`, as one buffer; nothing is kept afterwards. */
  #take(last: Buffer): Buffer {
    const joined = this.#parts.length === 0 ? last : Buffer.concat([...this.#parts, last]);
    this.#parts = [];
    this.#partsLength = 0;
    return joined;
  }

  #parseHeader(line: Buffer): Header {
    const header = parseObject(line, 'event line');
    const { type, data } = header;
    if (typeof type !== 'string' || !TYPE.test(type)) throw Errors.ProtocolViolation('an event needs a "type" (lower-case letters, digits, "-" or "_")');
    if (data !== undefined && data !== null && !isPlainObject(data)) throw Errors.ProtocolViolation('"data" must be an object');
    const dataLength = length(header.data_length, 'data_length', this.#limits.maxDataBytes);
    const payloadLength = length(header.payload_length, 'payload_length', this.#limits.maxPayloadBytes);
    return { type, data: isPlainObject(data) ? data : {}, dataLength, payloadLength };
  }
}

function length(value: unknown, name: string, max: number): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw Errors.ProtocolViolation(`"${name}" must be a non-negative integer`);
  if (value > max) throw Errors.PayloadTooLarge(`${max} bytes of ${name}`);
  return value;
}

function parseObject(bytes: Buffer, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw Errors.ProtocolViolation(`${what} is not valid JSON`);
  }
  if (!isPlainObject(value)) throw Errors.ProtocolViolation(`${what} must be a JSON object`);
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
