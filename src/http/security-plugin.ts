import type { FastifyInstance, FastifyRequest, preHandlerHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';
import rateLimit from '@fastify/rate-limit';
import { Redis } from 'ioredis';
import { Errors } from '../errors.js';
import { createConnectionLimiter, MemorySlotStore, RedisSlotStore, type ConnectionLimiter } from '../cache/connection-limiter.js';
import { refuseNulCharacters } from './text-input.js';
import { refuseCoercedNumbers } from './strict-numbers.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Concurrent-connection and concurrent-stream limits, shared across instances when Redis is configured. */
    connectionLimiter: ConnectionLimiter;
  }
}

/** Routes under this prefix get the per-user command limit (COMMAND_RATE_LIMIT_*). */
export const COMMANDS_PREFIX = '/v1/commands';

/** A 429 from the catalog, with the seconds until the window resets. */
export function rateLimited(ttlMs: number) {
  return Errors.RateLimited(Math.max(1, Math.ceil(ttlMs / 1000)));
}

async function connectRedis(url: string): Promise<Redis> {
  const redis = new Redis(url, {
    connectionName: 'holomesh-limits',
    keyPrefix: 'holomesh:',
    // As the session store: fail fast while Redis is down, reconnect in the background.
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    lazyConnect: true,
    connectTimeout: 5_000,
    // Every command checks its limit here: the checks of requests arriving together go to Redis
    // as one pipeline (one write, one read) instead of a round trip each.
    enableAutoPipelining: true,
  });
  redis.on('error', () => {}); // surfaced per command
  await redis.connect();
  return redis;
}

/**
 * helmet's default security headers. They do not depend on the request, so helmet runs once here
 * and every response gets the result (@fastify/helmet would rebuild helmet on every request).
 */
export function helmetHeaders(): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader(name: string, value: string | number | readonly string[]) { headers[name.toLowerCase()] = String(value); },
    removeHeader(name: string) { delete headers[name.toLowerCase()]; },
  };
  let failed: unknown;
  helmet()({} as IncomingMessage, res as unknown as ServerResponse, (err?: unknown) => { failed = err; });
  if (failed) throw failed;
  return Object.freeze(headers);
}

/**
 * Security headers (helmet) and abuse limits (@fastify/rate-limit): counters in Redis when
 * REDIS_URL is set, so every instance sees the same; in-process otherwise. Routes opt in with
 * `config.rateLimit`; every route under `/v1/commands` gets the per-user limit. Register it
 * before any route.
 */
export const securityPlugin = fp(async (app: FastifyInstance) => {
  const { commandLimit } = app.config.auth;
  const redis = app.config.redisUrl ? await connectRedis(app.config.redisUrl) : null;
  if (redis) app.addHook('onClose', async () => { redis.disconnect(); });

  const securityHeaders = helmetHeaders();
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(securityHeaders);
    done();
  });
  await app.register(rateLimit, {
    global: false,
    ...(redis ? { redis, nameSpace: 'rate:' } : {}),
    // Thrown into the error handler, which sends the catalog body.
    errorResponseBuilder: (_request, context) => rateLimited(context.ttl),
  });

  app.addHook('preValidation', refuseNulCharacters);
  app.addHook('preValidation', refuseCoercedNumbers);

  app.decorate('connectionLimiter', createConnectionLimiter(redis ? new RedisSlotStore(redis) : new MemorySlotStore()));

  const checkCommandLimit = app.createRateLimit({
    max: commandLimit.max,
    timeWindow: commandLimit.windowS * 1000,
    keyGenerator: (request: FastifyRequest) => (request.principal ? `commands:user:${request.principal.userId}` : `commands:ip:${request.ip}`),
  });
  // A preHandler, so it runs after authentication has set request.principal.
  const limitCommands: preHandlerHookHandler = async (request, reply) => {
    const limit = await checkCommandLimit(request);
    if (limit.isAllowed) return;
    reply.header('x-ratelimit-limit', limit.max);
    reply.header('x-ratelimit-remaining', limit.remaining);
    if (limit.isExceeded) {
      reply.header('retry-after', limit.ttlInSeconds);
      throw rateLimited(limit.ttl);
    }
  };
  app.addHook('onRoute', (route) => {
    if (route.url !== COMMANDS_PREFIX && !route.url.startsWith(`${COMMANDS_PREFIX}/`)) return;
    const existing = route.preHandler;
    route.preHandler = [...(Array.isArray(existing) ? existing : existing ? [existing] : []), limitCommands];
  });
}, { name: 'holomesh-security', fastify: '5.x', decorators: { fastify: ['config'] } });
