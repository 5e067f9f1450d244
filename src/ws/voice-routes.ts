import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { RecognitionGrammar, SpeechEngine } from '../speech/engine.js';
import type { Transcript } from '../contracts.js';
import type { SpeechSynthesizer } from '../tts/index.js';
import { Errors, isHoloMeshError, toWsFrame } from '../errors.js';
import { CloseCodes, VoiceSession, type VoiceSessionLimits } from './voice-session.js';
import { userChannel, type CommandResult } from '../assistant/index.js';
import { deviceChannel } from '../auth/device-credentials.js';

export interface VoiceRouteOptions {
  /** null when no speech engine runs: text commands still work, audio gets an error frame. */
  readonly speech: SpeechEngine | null;
  readonly grammar: () => Promise<RecognitionGrammar>;
  /** Text-to-speech for sessions that ask for spoken replies; null = not offered. */
  readonly synthesizer: SpeechSynthesizer | null;
  readonly runCommand: (input: { principal: NonNullable<FastifyRequest['principal']>; sessionId: string; commandId?: string; transcript: Transcript }) => Promise<CommandResult>;
  readonly limits?: Partial<VoiceSessionLimits>;
  /** Called for each utterance that held no speech (a metric). */
  readonly onNoSpeech?: () => void;
}

const SESSION_ID = /^[A-Za-z0-9_-]{8,64}$/;
// A client that floods without reading its answers must not grow our send buffer without bound.
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/** `GET /v1/voice`: the WebSocket voice and chat session (protocol in the README). */
export async function voiceRoutes(app: FastifyInstance, options: VoiceRouteOptions): Promise<void> {
  const { connectionsPerMinute, maxSessionsPerUser } = app.config.speech;
  const { synthesizer } = options;
  const userSlot = (userId: string) => `voice-sessions:${userId}`;

  // Both checked before the upgrade, so a refused client gets a plain HTTP 429 (with Retry-After)
  // and no socket. New connections per address are a rate (@fastify/rate-limit, in Redis when
  // configured). The session slot is only looked at here, and taken once the socket is open: a
  // request that never becomes one (a plain GET, a failed handshake) has no close event to give a slot back.
  const perAddress = { max: connectionsPerMinute, timeWindow: 60_000, keyGenerator: (request: FastifyRequest) => `ws-connections:${request.ip}` };
  const admit = async (request: FastifyRequest) => {
    if (request.principal && (await app.connectionLimiter.count(userSlot(request.principal.userId))) >= maxSessionsPerUser) {
      throw Errors.RateLimited(5);
    }
  };

  app.get('/v1/voice', { websocket: true, config: { rateLimit: perAddress, allowDeviceCredential: true }, preValidation: admit }, (socket: WebSocket, request: FastifyRequest) => {
    const principal = request.principal;
    const writable = (): boolean => {
      if (socket.readyState !== socket.OPEN) return false;
      if (socket.bufferedAmount <= MAX_BUFFERED_BYTES) return true;
      socket.close(CloseCodes.policy, 'client is not reading its messages');
      return false;
    };
    const send = (frame: Record<string, unknown>) => {
      if (writable()) socket.send(JSON.stringify(frame));
    };
    const refuse = (code: number, err: ReturnType<typeof Errors.Unauthenticated>) => {
      send(toWsFrame(err));
      socket.close(code, err.code);
    };
    if (!principal && !app.config.speech.allowAnonymous) {
      refuse(CloseCodes.unauthorized, Errors.Unauthenticated('sign in first: send an access token (Authorization header, "bearer, <token>" subprotocol or ?token=)'));
      return;
    }
    const query = request.query as Record<string, unknown>;
    const requestedSession = typeof query.session === 'string' ? query.session : undefined;
    if (requestedSession !== undefined && !SESSION_ID.test(requestedSession)) {
      refuse(CloseCodes.policy, Errors.ProtocolViolation('session must be 8 to 64 letters, digits, "-" or "_"'));
      return;
    }

    // The slot is taken now that the socket is open, and given back when it closes, whichever
    // side closes it and why. Until it is taken, messages wait in the session's bounded queue.
    const takeSlot = async (userId: string): Promise<boolean> => {
      const slot = userSlot(userId);
      const release = () => void app.connectionLimiter.release(slot).catch((err: unknown) => request.log.warn({ err }, 'voice session slot not released'));
      try {
        if (!(await app.connectionLimiter.acquire(slot, maxSessionsPerUser))) {
          // Another connection took the last slot since admit() looked.
          refuse(CloseCodes.tooMany, Errors.RateLimited(5));
          return false;
        }
      } catch (err) {
        request.log.error({ err }, 'voice session slots unavailable');
        refuse(CloseCodes.tryAgain, Errors.CacheUnavailable());
        return false;
      }
      // Closed while the slot was being taken: there will be no close event to give it back.
      if (socket.readyState !== socket.OPEN) {
        release();
        return false;
      }
      socket.once('close', release);
      return true;
    };
    const admitted = principal ? takeSlot(principal.userId) : Promise.resolve(true);

    const deviceId = principal?.deviceId;
    const revoked = () => refuse(CloseCodes.unauthorized, Errors.Unauthenticated('the device credential was revoked'));
    const session = new VoiceSession({
      engine: options.speech ?? unavailableEngine,
      grammar: options.grammar,
      runCommand: principal
        ? async (transcript, ids) => {
          // A device's session lives on after its credential is revoked only until its next command.
          if (deviceId !== undefined && !(await app.deviceCredentials.isLive(deviceId))) {
            revoked();
            throw Errors.Unauthenticated('the device credential was revoked');
          }
          return options.runCommand({ principal, transcript, ...ids });
        }
        : null,
      send,
      sendBinary: (data) => { if (writable()) socket.send(data, { binary: true }); },
      ...(synthesizer ? { synthesize: (text: string) => synthesizer.synthesize(text) } : {}),
      close: (code, reason) => socket.close(code, reason),
      sessionId: requestedSession,
      limits: options.limits,
      ...(options.onNoSpeech ? { onNoSpeech: options.onNoSpeech } : {}),
      admitted,
      // A client's own protocol mistakes are answered with an error frame; only the rest is worth an error line.
      onError: (err) => {
        if (isHoloMeshError(err) && err.statusCode < 500) request.log.debug({ code: err.code }, err.message);
        else request.log.error({ err }, 'voice session error');
      },
    });

    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) session.onBinary(data);
      else session.onText(data.toString('utf8'));
    });
    socket.on('error', (err) => request.log.warn({ err }, 'voice socket error'));

    // A token that expires during a long session ends it clearly; the client reconnects with a
    // fresh token and the same ?session= and the dialog continues (its state is in the store).
    // A device credential does not expire: its session ends when it is revoked (below).
    const expiry = principal && deviceId === undefined
      ? setTimeout(() => refuse(CloseCodes.unauthorized, Errors.Unauthenticated('the access token has expired: reconnect with a new one and the same session')), tokenTimerDelay(principal.expiresAt))
      : null;
    expiry?.unref();

    const unsubscribes: (() => Promise<void>)[] = [];
    const listen = (channel: string, onMessage: (message: unknown) => void) => app.pubsub.subscribe(channel, onMessage)
      .then((off) => { if (socket.readyState === socket.OPEN) unsubscribes.push(off); else void off(); });
    if (principal) {
      void admitted.then((ok) => {
        if (!ok) return;
        listen(userChannel(principal.userId), (message) => send({ type: 'notification', ...(message as object) }))
          .catch((err: unknown) => request.log.warn({ err }, 'notifications unavailable for this session'));
        // Revoked on any instance: the session ends now (each command checks the database too).
        if (deviceId !== undefined) {
          listen(deviceChannel(deviceId), revoked)
            .catch((err: unknown) => request.log.warn({ err }, 'device revocations unavailable for this session'));
        }
      });
    }

    socket.on('close', () => {
      if (expiry) clearTimeout(expiry);
      for (const off of unsubscribes) void off();
      void session.dispose();
    });
  });
}

/** Stands in when no engine runs, so audio frames get a clear error frame instead of a crash. */
const unavailableEngine: SpeechEngine = {
  name: 'none',
  sampleRate: 16_000,
  openStream: async () => { throw Errors.SpeechUnavailable('no speech engine is running on this server'); },
  close: async () => {},
};

// Node fires a timer whose delay exceeds 2^31 - 1 ms (24.8 days) at once: a token living longer
// would close the session as soon as it opened. Such a session ends at 24.8 days instead.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The delay until `expiresAt` (ms since the epoch), within what a Node timer can wait. */
export function tokenTimerDelay(expiresAt: number, now = Date.now()): number {
  return Math.min(MAX_TIMER_MS, Math.max(0, expiresAt - now));
}
