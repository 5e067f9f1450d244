import { createServer, type AddressInfo, type Socket } from 'node:net';
import { isHoloMeshError, Errors } from '../errors.js';
import { WyomingConnection } from './connection.js';
import { encodeError, EventParser, type FrameLimits } from './events.js';
import { RecentTranscripts } from './recent-transcripts.js';
import type { WyomingServices } from './services.js';

export interface WyomingLogger {
  debug(obj: unknown, msg: string): void;
  info(obj: unknown, msg: string): void;
  warn(obj: unknown, msg: string): void;
  error(obj: unknown, msg: string): void;
}

export interface WyomingServerOptions {
  readonly host: string;
  /** 0 = any free port. */
  readonly port: number;
  readonly services: WyomingServices;
  readonly log: WyomingLogger;
  readonly limits?: Partial<WyomingLimits>;
}

export interface WyomingLimits {
  readonly frame: Partial<FrameLimits>;
  /** A connection that sends nothing for this long is closed. */
  readonly idleTimeoutMs: number;
  readonly maxConnections: number;
  /** How long `close()` lets in-flight events finish before it cuts the connections. */
  readonly closeGraceMs: number;
}

const DEFAULT_LIMITS: Omit<WyomingLimits, 'frame'> = { idleTimeoutMs: 60_000, maxConnections: 32, closeGraceMs: 5_000 };
/** Events read ahead of the one being handled before the socket stops reading (back-pressure). */
const MAX_QUEUED_EVENTS = 32;
/** Answers a client leaves unread before it is cut off. */
const MAX_UNREAD_BYTES = 4 * 1024 * 1024;

export interface WyomingServer {
  readonly host: string;
  readonly port: number;
  /** Stops accepting, lets in-flight events finish (up to the grace), closes every connection. Idempotent. */
  close(): Promise<void>;
}

/** A Wyoming TCP server: one parser and one handler per connection, events handled in order. */
export async function startWyomingServer(options: WyomingServerOptions): Promise<WyomingServer> {
  const limits = { ...DEFAULT_LIMITS, frame: {}, ...options.limits };
  const recent = new RecentTranscripts();
  const open = new Map<Socket, { drained: () => Promise<void>; connection: WyomingConnection }>();
  const { log } = options;

  const server = createServer({ noDelay: true }, (socket) => {
    const parser = new EventParser(limits.frame);
    const peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    const send = (bytes: Buffer) => {
      if (socket.destroyed || !socket.writable) return;
      if (socket.writableLength > MAX_UNREAD_BYTES) {
        log.warn({ peer }, 'wyoming client is not reading its answers: disconnected');
        socket.destroy();
        return;
      }
      socket.write(bytes);
    };
    const connection = new WyomingConnection({ services: options.services, recent, send, log });
    let queue: Promise<void> = Promise.resolve();
    let queued = 0;
    let broken = false;
    open.set(socket, { drained: () => queue, connection });
    log.debug({ peer }, 'wyoming client connected');

    socket.setTimeout(limits.idleTimeoutMs);
    socket.on('timeout', () => {
      // Quiet because we are still decoding or acting on its events is not idle: wait again.
      if (queued > 0) {
        socket.setTimeout(limits.idleTimeoutMs);
        return;
      }
      log.debug({ peer }, 'wyoming client idle: disconnected');
      socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => {
      if (broken) return;
      let events;
      try {
        events = parser.push(chunk);
      } catch (err) {
        // The framing is lost: answer once, after the events already read, and hang up.
        broken = true;
        const error = isHoloMeshError(err) ? err : Errors.Internal();
        log.debug({ peer, code: error.code }, `wyoming frame refused: ${error.message}`);
        queue = queue.then(() => {
          send(encodeError(error));
          socket.end();
        });
        return;
      }
      for (const event of events) {
        queued++;
        if (queued > MAX_QUEUED_EVENTS) socket.pause();
        queue = queue.then(() => connection.onEvent(event)).finally(() => {
          queued--;
          if (queued <= MAX_QUEUED_EVENTS / 4 && !broken && !socket.destroyed) socket.resume();
        });
      }
    });
    socket.on('error', (err) => log.debug({ peer, err }, 'wyoming socket error'));
    socket.on('close', () => {
      open.delete(socket);
      connection.stop();
      void queue.then(() => connection.dispose());
      log.debug({ peer }, 'wyoming client disconnected');
    });
  });
  server.maxConnections = limits.maxConnections;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.host, port: options.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => log.error({ err }, 'wyoming server error'));
  const address = server.address() as AddressInfo;
  log.info({ host: address.address, port: address.port }, 'Wyoming server listening');

  let closing: Promise<void> | undefined;
  const close = () => (closing ??= (async () => {
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    const sockets = [...open.entries()];
    for (const [socket] of sockets) socket.pause();
    const grace = new Promise<void>((resolve) => setTimeout(resolve, limits.closeGraceMs).unref());
    await Promise.race([Promise.all(sockets.map(([, { drained }]) => drained().catch(() => {}))), grace]);
    for (const [socket, { connection }] of sockets) {
      socket.destroy();
      await connection.dispose();
    }
    await stopped;
  })());

  return { host: address.address, port: address.port, close };
}
