import { randomBytes, randomInt } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.js';
import { openCache } from '../../src/cache/index.js';
import { createTokenService, type TokenService } from '../../src/auth/tokens.js';
import { seedDemoCatalog } from '../../src/demo/seed.js';
import type { SpeechEngine } from '../../src/speech/engine.js';
import { createTestDatabase, TEST_JWT_SECRET, type TestDatabase } from '../helpers/database.js';

export interface AuthTestApp {
  readonly app: FastifyInstance;
  readonly database: TestDatabase;
  readonly tokens: TokenService;
  /** Every log line written so far (when built with `captureLogs`). */
  readonly logs: string[];
  close(): Promise<void>;
}

export interface AuthTestOptions {
  readonly env?: Record<string, string>;
  /** Log at trace level into `logs`. */
  readonly captureLogs?: boolean;
  /** Runs before `ready()`: add test-only routes. */
  readonly beforeReady?: (app: FastifyInstance) => void | Promise<void>;
  /** A speech engine for the app (default none). */
  readonly speech?: SpeechEngine;
}

/** Like createTestApp, with log capture and a hook to add routes before the app is ready. */
export async function createAuthTestApp(options: AuthTestOptions = {}): Promise<AuthTestApp> {
  const database = await createTestDatabase(options.env);
  await seedDemoCatalog(database.db.dataSource, { activity: false });
  const cache = await openCache(database.config.redisUrl);
  const tokens = createTokenService(TEST_JWT_SECRET, database.config.jwtAccessTtlS);
  const logs: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  let app: FastifyInstance | undefined;
  try {
    app = await buildApp({
      config: database.config,
      db: database.db,
      sessionStore: cache.store,
      pubsub: cache.pubsub,
      tokens,
      speech: options.speech ?? null,
      logger: options.captureLogs ? { level: 'trace', stream } : false,
    });
    await options.beforeReady?.(app);
    await app.ready();
  } catch (err) {
    await app?.close();
    await cache.pubsub.close();
    await cache.store.close();
    await database.close();
    throw err;
  }
  const built = app;
  return {
    app: built,
    database,
    tokens,
    logs,
    async close() {
      await built.close();
      await cache.pubsub.close();
      await cache.store.close();
      await database.close();
    },
  };
}

/** A username no other test (or earlier run against the same Redis) has used. */
export function uniqueName(prefix = 'user'): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/** A random client address, so per-IP limits of one test never touch another's. */
export function randomIp(): string {
  return `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
}

export const PASSWORD = 'correct horse battery staple';

export function post(app: FastifyInstance, url: string, payload?: object, extra: Partial<InjectOptions> = {}): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url, ...(payload ? { payload } : {}), remoteAddress: randomIp(), ...extra });
}

export async function register(app: FastifyInstance, body: Record<string, unknown> = {}): Promise<{ username: string; id: string }> {
  const username = (body.username as string | undefined) ?? uniqueName();
  const res = await post(app, '/v1/auth/register', { username, email: `${username}@example.test`, password: PASSWORD, ...body });
  if (res.statusCode !== 201) throw new Error(`register failed: ${res.statusCode} ${res.body}`);
  return { username, id: res.json().user.id };
}

export function login(app: FastifyInstance, username: string, extra: Record<string, unknown> = {}, inject: Partial<InjectOptions> = {}): Promise<LightMyRequestResponse> {
  return post(app, '/v1/auth/login', { username, password: PASSWORD, ...extra }, inject);
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
