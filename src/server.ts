import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { resolveSecrets } from './secrets.js';
import { openDatabase, type Database } from './db/index.js';
import { seedIfWanted } from './db/seed.js';
import { openCache } from './cache/index.js';
import { createTokenService } from './auth/tokens.js';
import { buildApp, type AppDeps } from './app.js';
import { pino } from 'pino';
import { createSpeechEngine, ENGINE_SAMPLE_RATE } from './speech/index.js';
import { DeferredSpeechEngine } from './speech/deferred-engine.js';
import { createSpeechSynthesizer } from './tts/index.js';

export interface RunningServer {
  readonly app: FastifyInstance;
  /** e.g. `http://127.0.0.1:8080` (the real port when PORT=0). */
  readonly url: string;
  /** Stops accepting, lets in-flight commands finish, closes sessions and pools. Idempotent. */
  close(): Promise<void>;
}

export interface StartOptions {
  readonly logger?: AppDeps['logger'];
  /** Called with the demo accounts created on first start (embedded mode prints them). */
  readonly onDemoAccounts?: (accounts: readonly { username: string; role: string; password: string }[]) => void;
  /** Called after the server stopped itself because a part failed after it started listening. */
  readonly onFatal?: (err: unknown) => void;
}

/**
 * Opens every dependency named by the config, builds the app and listens. The speech engine
 * (model, worker threads) keeps loading in the background: text commands work at once, and
 * the first audio waits for it. A speech engine that cannot start stops the service.
 */
export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const secrets = await resolveSecrets(config);
  const log = pino({ level: options.logger === false ? 'silent' : config.logLevel });
  let speechFailure: unknown = null;
  let speech: DeferredSpeechEngine | undefined;
  let cache: Awaited<ReturnType<typeof openCache>> | undefined;
  let app: FastifyInstance | undefined;
  let db: Database | undefined;
  try {
    db = await openDatabase(config, secrets.fieldKeys);
    // Started after the database so that loading models does not compete with its first-start
    // initialisation for the CPU; it goes on in the background from here.
    const speechStarting = createSpeechEngine({ ...config.speech, cacheDir: config.dataDir, logger: log });
    speechStarting.catch((err: unknown) => { speechFailure = err; });
    speech = new DeferredSpeechEngine(speechStarting, ENGINE_SAMPLE_RATE);
    // The demo seed (password hashing on the libuv pool) runs while the app is being built.
    const seeding = seedIfWanted(config, db.dataSource);
    seeding.catch(() => {}); // awaited below
    cache = await openCache(config.redisUrl);
    const synthesizer = await createSpeechSynthesizer();
    app = await buildApp({
      config,
      db,
      sessionStore: cache.store,
      pubsub: cache.pubsub,
      tokens: createTokenService(secrets.jwtSecret, config.jwtAccessTtlS),
      speech,
      synthesizer,
      logger: options.logger,
    });
    const created = await seeding;
    if (created.length > 0) options.onDemoAccounts?.(created);
    // A misconfigured engine (e.g. vosk without a model) has failed by now: refuse to start.
    if (speechFailure) throw speechFailure;
    const opened = { cache, db, speech };
    app.addHook('onClose', async () => {
      await synthesizer?.close();
      await opened.speech.close();
      await opened.cache.pubsub.close();
      await opened.cache.store.close();
      await opened.db.close();
    });
    const url = await app.listen({ host: config.host, port: config.port });
    app.log.info({ database: db.mode, cache: cache.store.kind, tts: synthesizer ? 'espeak-ng (wasm)' : 'none', dataDir: db.mode === 'postgres' ? undefined : config.dataDir }, 'HoloMesh Voice ready');
    const running = app;
    let closing: Promise<void> | undefined;
    const close = () => (closing ??= running.close().then(() => {}));
    speechStarting.then(
      async (engine) => {
        running.log.info({ speech: engine.description }, 'speech recognition ready');
        // Compile the current grammar on every worker now rather than on the first utterance.
        await engine.prepare?.(await running.voiceGrammar()).catch((err: unknown) => running.log.warn({ err }, 'grammar warm-up failed'));
      },
      (err: unknown) => {
        running.log.fatal({ err }, 'speech recognition failed to start: stopping');
        void close().then(() => options.onFatal?.(err));
      },
    );
    return { app, url, close };
  } catch (err) {
    if (app) await app.close().catch(() => {});
    else {
      await speech?.close().catch(() => {});
      await cache?.pubsub.close().catch(() => {});
      await cache?.store.close().catch(() => {});
      await db?.close().catch(() => {});
    }
    throw err;
  }
}
