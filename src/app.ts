import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import websocket from '@fastify/websocket';
import type { Config } from './config.js';
import type { Database } from './db/index.js';
import type { PubSub, SessionStore } from './cache/index.js';
import type { TokenService } from './auth/tokens.js';
import { errorHandlerPlugin, loggableError } from './http/error-handler.js';
import { healthRoutes } from './http/health-routes.js';
import { authPlugin } from './http/auth-plugin.js';
import { securityPlugin } from './http/security-plugin.js';
import { authRoutes } from './http/auth-routes.js';
import { deviceRoutes } from './http/device-routes.js';
import { assistantPlugin } from './assistant/index.js';
import { commandRoutes } from './http/command-routes.js';
import { historyRoutes } from './http/history-routes.js';
import { speechRoutes } from './http/speech-routes.js';
import { voicePlugin } from './ws/voice-plugin.js';
import { chipRoutes } from './http/chip-routes.js';
import { walletRoutes } from './http/wallet-routes.js';
import { outboxPlugin } from './marketplace/outbox-plugin.js';
import { dashboardRoutes } from './http/dashboard-routes.js';
import { collectionRoutes } from './http/collection-routes.js';
import { profileRoutes } from './http/profile-routes.js';
import { earningsRoutes } from './http/earnings-routes.js';

import { reviewRoutes } from './http/review-routes.js';
import { preferenceRoutes } from './http/preference-routes.js';
import { groupRoutes } from './http/group-routes.js';
import { consolePlugin } from './http/console-plugin.js';
import { metricsPlugin } from './http/metrics-plugin.js';
import { RequestLogController } from './http/request-log.js';
import type { SpeechEngine } from './speech/engine.js';
import type { SpeechSynthesizer } from './tts/index.js';
import type { IntentSet } from './nlu/index.js';

/** Everything the app needs, built by the caller (server start-up or a test) and passed in. */
export interface AppDeps {
  readonly config: Config;
  readonly db: Database;
  readonly sessionStore: SessionStore;
  readonly pubsub: PubSub;
  readonly tokens: TokenService;
  /** Compiled intent templates; default: the repository's intents/. */
  readonly intents?: IntentSet;
  /** The speech engine; null or absent = text only (audio gets a clear error). */
  readonly speech?: SpeechEngine | null;
  /** Text-to-speech for spoken replies; null or absent = text replies only. */
  readonly synthesizer?: SpeechSynthesizer | null;
  /** pino options or `false`; defaults to pino at the configured level. */
  readonly logger?: FastifyServerOptions['logger'];
}

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    db: Database;
    sessionStore: SessionStore;
    pubsub: PubSub;
    tokens: TokenService;
  }
}

/** How long a client may take to send its request headers (slowloris defence). */
export const HEADERS_TIMEOUT_MS = 10_000;

/** Redacted wherever a request is logged: tokens travel in these. */
const REDACT = ['req.headers.authorization', 'req.headers["sec-websocket-protocol"]', 'req.headers.cookie'];

/** Request log line without secrets: `?token=…` (browser WebSocket auth) is masked. */
function serializeRequest(request: { method: string; url: string; ip?: string }) {
  return { method: request.method, url: redactTokenParam(request.url), remoteAddress: request.ip };
}

export function redactTokenParam(url: string): string {
  return url.replace(/([?&](?:token|access_token)=)[^&#]*/gi, '$1[REDACTED]');
}

/**
 * pino options: the configured level, secrets redacted, and errors logged without the values
 * they carry (query parameters hold transcripts and names). A caller's own options (tests
 * capturing logs) keep these serializers.
 */
function loggerOptions(deps: AppDeps): FastifyServerOptions['logger'] {
  const serializers = { req: serializeRequest, err: loggableError };
  if (deps.logger === undefined) return { level: deps.config.logLevel, redact: REDACT, serializers };
  if (deps.logger && typeof deps.logger === 'object') return { redact: REDACT, ...deps.logger, serializers: { ...serializers, ...deps.logger.serializers } };
  return deps.logger;
}

/** A hop count trusts that many proxies nearest to the server, as proxy-addr counts them. */
function trustProxyOption(setting: Config['trustProxy']): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  return typeof setting === 'boolean' ? setting : [...setting];
}

/** Builds the fastify app from its parts. Nothing global: two apps can live in one process. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(deps),
    // Request lines at a level by outcome (debug when all went well), not every one at info.
    logController: new RequestLogController(),
    bodyLimit: 1024 * 1024,
    // Per-IP limits count the real client behind a load balancer only when its proxy is trusted.
    trustProxy: trustProxyOption(deps.config.trustProxy),
    return503OnClosing: true,
    // Compiling the intents is CPU-bound: replicas started together on a busy host can take well
    // over fastify's default 10 s for it, which would abort the start.
    pluginTimeout: 60_000,
    routerOptions: { ignoreTrailingSlash: true },
    // Slow clients: a request (or WebSocket upgrade) whose headers are not complete within 10 s is
    // dropped, checked every second (Node's defaults: 60 s, checked every 30 s).
    http: { headersTimeout: HEADERS_TIMEOUT_MS, connectionsCheckingInterval: 1_000 },
  });

  app.decorate('config', deps.config);
  app.decorate('db', deps.db);
  app.decorate('sessionStore', deps.sessionStore);
  app.decorate('pubsub', deps.pubsub);
  app.decorate('tokens', deps.tokens);

  await app.register(errorHandlerPlugin);
  await app.register(securityPlugin);
  await app.register(authPlugin);
  await app.register(websocket, {
    options: { maxPayload: 1024 * 1024 },
    // Close every session with a proper close frame ("going away") when the server stops.
    preClose(done) {
      for (const client of app.websocketServer.clients) client.close(1001, 'server shutting down');
      app.websocketServer.close(() => done());
    },
  });
  await app.register(healthRoutes);
  await app.register(metricsPlugin);
  await app.register(authRoutes);
  await app.register(deviceRoutes);
  await app.register(assistantPlugin, { intents: deps.intents });
  await app.register(commandRoutes);
  await app.register(historyRoutes);
  await app.register(voicePlugin, { speech: deps.speech ?? null, synthesizer: deps.synthesizer ?? null });
  await app.register(speechRoutes);
  await app.register(outboxPlugin);
  await app.register(chipRoutes);
  await app.register(walletRoutes);
  await app.register(dashboardRoutes);
  await app.register(collectionRoutes);
  await app.register(profileRoutes);
  await app.register(earningsRoutes);

  await app.register(reviewRoutes);
  await app.register(preferenceRoutes);
  await app.register(groupRoutes);
  await app.register(consolePlugin);
  return app;
}
