import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { resolveSecrets } from './secrets.js';
import { openDatabase } from './db/index.js';
import { seedIfWanted } from './db/seed.js';
import { openCache } from './cache/index.js';
import { createTokenService } from './auth/tokens.js';
import { buildApp, type AppDeps } from './app.js';
import { pino } from 'pino';
import { createSpeechEngine, type StartedSpeechEngine } from './speech/index.js';
import { createSpeechSynthesizer, type SpeechSynthesizer } from './tts/index.js';

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
}

/** Opens every dependency named by the config, builds the app and listens. */
export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const secrets = await resolveSecrets(config);
  const log = pino({ level: options.logger === false ? 'silent' : config.logLevel });
  // The speech engine (model, worker threads) starts while the database opens and migrates.
  const speechStarting = createSpeechEngine({ ...config.speech, cacheDir: config.dataDir, logger: log });
  speechStarting.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled
  const db = await openDatabase(config, secrets.fieldKeys).catch(async (err: unknown) => {
    await speechStarting.then((s) => s.close(), () => {});
    throw err;
  });
  let cache: Awaited<ReturnType<typeof openCache>> | undefined;
  let speech: StartedSpeechEngine | undefined;
  let synthesizer: SpeechSynthesizer | null = null;
  let app: FastifyInstance | undefined;
  try {
    speech = await speechStarting;
    synthesizer = await createSpeechSynthesizer();
    const created = await seedIfWanted(config, db.dataSource);
    if (created.length > 0) options.onDemoAccounts?.(created);
    cache = await openCache(config.redisUrl);
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
    const opened = cache;
    const engine = speech;
    const tts = synthesizer;
    app.addHook('onClose', async () => {
      await tts?.close();
      await engine.close();
      await opened.pubsub.close();
      await opened.store.close();
      await db.close();
    });
    const url = await app.listen({ host: config.host, port: config.port });
    app.log.info({ database: db.mode, cache: opened.store.kind, speech: engine.description, tts: tts ? 'espeak-ng (wasm)' : 'none', dataDir: db.mode === 'postgres' ? undefined : config.dataDir }, 'HoloMesh Voice ready');
    let closing: Promise<void> | undefined;
    const started = app;
    return { app, url, close: () => (closing ??= started.close().then(() => {})) };
  } catch (err) {
    if (app) await app.close().catch(() => {});
    else {
      await speech?.close().catch(() => {});
      await cache?.pubsub.close().catch(() => {});
      await cache?.store.close().catch(() => {});
      await db.close().catch(() => {});
    }
    throw err;
  }
}
