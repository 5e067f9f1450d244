import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { resolveSecrets } from './secrets.js';
import { startDatabase, type Database } from './db/index.js';
import type { EmbeddedPostgres } from './db/embedded-postgres.js';
import { seedIfWanted } from './demo/seed.js';
import { openCache } from './cache/index.js';
import { createTokenService } from './auth/tokens.js';
import { buildApp, type AppDeps } from './app.js';
import { pino, type DestinationStream } from 'pino';
import { createSpeechEngine, ENGINE_SAMPLE_RATE } from './speech/index.js';
import { DeferredSpeechEngine } from './speech/deferred-engine.js';
import { createSpeechSynthesizer } from './tts/index.js';
import type { WyomingServer } from './wyoming/index.js';

export interface RunningServer {
  readonly app: FastifyInstance;
  /** e.g. `http://127.0.0.1:8080` (the real port when PORT=0). */
  readonly url: string;
  /** The Wyoming server when WYOMING_PORT is set (its real port when 0). */
  readonly wyoming: { readonly host: string; readonly port: number } | null;
  /** Stops accepting, lets in-flight commands finish, closes sessions and pools. Idempotent. */
  close(): Promise<void>;
}

export interface StartOptions {
  /** pino options or `false` (tests); default: the configured level, to `logStream` or standard output. */
  readonly logger?: AppDeps['logger'];
  /** Where log lines go by default (human-readable ones on a terminal); default: JSON on standard output. */
  readonly logStream?: DestinationStream;
  /** Called, before the server listens, with the demo accounts the seed has just created. */
  readonly onDemoAccounts?: (accounts: readonly { username: string; role: string; password: string }[]) => void | Promise<void>;
  /** Called after the server stopped itself because a part failed after it started listening. */
  readonly onFatal?: (err: unknown) => void;
  /** The embedded database, when the caller started it before loading this module (see main.ts). */
  readonly embedded?: Promise<EmbeddedPostgres>;
}

/**
 * Opens every dependency named by the config, builds the app and listens. The app is built while
 * the database starts (the embedded one in its own thread), is migrated and seeded; it listens
 * once all that is done, so /ready means commands can be answered. The speech engine (model, worker threads,
 * grammar compilation: seconds of CPU on every core) starts only then, so that it does not slow
 * the database's first start; text commands work at once, and the first audio waits for it. A
 * speech engine that cannot start stops the service, and so does losing the embedded database.
 */
export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const log = pino({ level: options.logger === false ? 'silent' : config.logLevel }, options.logStream);
  const logger = options.logger ?? { level: config.logLevel, ...(options.logStream ? { stream: options.logStream } : {}) };
  const phases = new StartupPhases();
  let beginSpeech: (start: boolean) => void = () => {};
  const speechStarting = new Promise<boolean>((resolve) => { beginSpeech = resolve; }).then((start) => {
    if (!start) throw new Error('the service did not start');
    return createSpeechEngine({ ...config.speech, cacheDir: config.dataDir, logger: log });
  });
  speechStarting.catch(() => {}); // handled once listening
  const speech = new DeferredSpeechEngine(speechStarting, ENGINE_SAMPLE_RATE);
  let cache: Awaited<ReturnType<typeof openCache>> | undefined;
  let app: FastifyInstance | undefined;
  let db: Database | undefined;
  let wyoming: WyomingServer | null = null;
  try {
    const secrets = await resolveSecrets(config);
    const starting = await startDatabase(config, secrets.fieldKeys, { embedded: options.embedded });
    db = starting.database;
    const { dataSource } = db;
    // Migrations and the demo seed (password hashing on the libuv pool) go on while the app is built.
    let createdDatabase = false;
    const preparing = starting.opened.then(async (opened) => {
      createdDatabase = opened.created;
      phases.mark('database');
      const created = await seedIfWanted(config, dataSource);
      phases.mark('seed');
      return created;
    });
    preparing.catch(() => {}); // awaited below
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
      logger,
    });
    phases.mark('app');
    const opened = { cache, db, speech };
    app.addHook('onClose', async () => {
      await synthesizer?.close();
      await opened.speech.close();
      await opened.cache.pubsub.close();
      await opened.cache.store.close();
      await opened.db.close();
    });
    const created = await preparing;
    if (created.length > 0) await options.onDemoAccounts?.(created);
    const url = await app.listen({ host: config.host, port: config.port });
    if (config.wyoming) {
      // Loaded only when wanted; it shares the app's engine, grammar and assistant.
      const { startAppWyoming } = await import('./wyoming/index.js');
      wyoming = await startAppWyoming(app, config.wyoming);
    }
    phases.mark('listening');
    app.log.info({ database: db.mode, cache: cache.store.kind, tts: synthesizer ? 'espeak-ng (wasm)' : 'none', dataDir: db.mode === 'postgres' ? undefined : config.dataDir, initdb: createdDatabase || undefined, startup: phases.summary() }, 'HoloMesh Voice ready');
    const running = app;
    let closing: Promise<void> | undefined;
    const wyomingServer = wyoming;
    const close = () => (closing ??= (async () => {
      await wyomingServer?.close();
      await running.close();
    })());
    const fatal = (err: unknown, message: string) => {
      running.log.fatal({ err }, message);
      void close().then(() => options.onFatal?.(err));
    };
    void starting.lost.then((err) => fatal(err, 'embedded database lost: stopping'));
    beginSpeech(true);
    speechStarting.then(
      async (engine) => {
        running.log.info({ speech: engine.description, startup: phases.at() }, 'speech recognition ready');
        if (engine.advice) running.log.warn(engine.advice);
        // Compile the current grammar on every worker now rather than on the first utterance.
        try {
          await engine.prepare?.(await running.voiceGrammar());
          running.log.info({ startup: phases.at() }, 'speech grammar compiled');
        } catch (err) {
          if (!closing) running.log.warn({ err }, 'grammar warm-up failed');
        }
      },
      (err: unknown) => fatal(err, 'speech recognition failed to start: stopping'),
    );
    return { app, url, wyoming: wyoming && { host: wyoming.host, port: wyoming.port }, close };
  } catch (err) {
    beginSpeech(false);
    await wyoming?.close().catch(() => {});
    if (app) await app.close().catch(() => {});
    else {
      await speech.close().catch(() => {});
      await cache?.pubsub.close().catch(() => {});
      await cache?.store.close().catch(() => {});
      if (db) await db.close().catch(() => {});
      else await options.embedded?.then((e) => e.close()).catch(() => {});
    }
    throw err;
  }
}

/**
 * Start-up timings for the ready log line: wall-clock ms since the process started (node's
 * time origin) and the process's CPU ms (all threads) at each step.
 */
class StartupPhases {
  readonly #wall: Record<string, number> = {};
  readonly #cpu: Record<string, number> = {};

  constructor() {
    this.mark('modules');
  }

  mark(phase: string): void {
    const { wallMs, cpuMs } = this.at();
    this.#wall[phase] = wallMs;
    this.#cpu[phase] = cpuMs;
  }

  at(): { wallMs: number; cpuMs: number } {
    const cpu = process.cpuUsage();
    return { wallMs: Math.round(performance.now()), cpuMs: Math.round((cpu.user + cpu.system) / 1000) };
  }

  summary(): { wallMs: Record<string, number>; cpuMs: Record<string, number> } {
    return { wallMs: { ...this.#wall }, cpuMs: { ...this.#cpu } };
  }
}
