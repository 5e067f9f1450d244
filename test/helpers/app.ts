import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { openCache } from '../../src/cache/index.js';
import { createTokenService, type TokenService } from '../../src/auth/tokens.js';
import { seedDemoCatalog } from '../../src/demo/seed.js';
import { User } from '../../src/db/entities/index.js';
import { openDatabase } from '../../src/db/index.js';
import { createTestDatabase, TEST_FIELD_KEYS, TEST_JWT_SECRET, type TestDatabase } from './database.js';
import { createSpeechEngine } from '../../src/speech/index.js';
import type { SpeechSynthesizer } from '../../src/tts/index.js';

export interface TestApp {
  readonly app: FastifyInstance;
  readonly database: TestDatabase;
  readonly tokens: TokenService;
  /** An access token for a seeded user (alex, sam, nova, admin …). */
  tokenFor(username: string): Promise<string>;
  /** Access tokens for several seeded users, by username. */
  tokensFor(usernames: readonly string[]): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Start the real speech engine (soundswallower, the 16 kHz model when installed; vosk when `env` has ASR_ENGINE=vosk). */
  readonly speech?: boolean;
  readonly speechWorkers?: number;
  readonly synthesizer?: SpeechSynthesizer | null;
  /** Seed the demo's activity too (past sales, reviews, preferences); default: the bare catalog. */
  readonly activity?: boolean;
}

/**
 * The whole app on a fresh seeded database (real PostgreSQL/Redis when DATABASE_URL/REDIS_URL
 * are set), not listening: use `app.inject` / `app.injectWS`. Always `close()` it (afterAll).
 */
export async function createTestApp(env: Record<string, string> = {}, options: TestAppOptions = {}): Promise<TestApp> {
  const database = await createTestDatabase(env);
  await seedDemoCatalog(database.db.dataSource, { activity: options.activity ?? false });
  const cache = await openCache(database.config.redisUrl);
  const tokens = createTokenService(TEST_JWT_SECRET, database.config.jwtAccessTtlS);
  const workers = options.speechWorkers ?? 1;
  const { engine, voskModelPath, verifyBelow } = database.config.speech;
  // Vosk only when `env` chooses it (ASR_ENGINE=vosk, VOSK_MODEL_PATH); otherwise soundswallower.
  const speech = !options.speech
    ? null
    : engine === 'vosk'
      ? await createSpeechEngine({ engine, voskModelPath, cacheDir: database.config.dataDir, workers })
      : await createSpeechEngine({ engine: 'soundswallower', cacheDir: database.config.dataDir, workers, verifyBelow });
  const app = await buildApp({
    config: database.config,
    db: database.db,
    sessionStore: cache.store,
    pubsub: cache.pubsub,
    tokens,
    speech,
    synthesizer: options.synthesizer ?? null,
    logger: false,
  });
  await app.ready();
  const tokenFor = async (username: string): Promise<string> => {
    const user = await database.db.dataSource.getRepository(User).findOneByOrFail({ username });
    return tokens.issueAccessToken({ userId: user.id, username: user.username, role: user.role });
  };
  return {
    app,
    database,
    tokens,
    tokenFor,
    async tokensFor(usernames) {
      return Object.fromEntries(await Promise.all(usernames.map(async (u) => [u, await tokenFor(u)] as const)));
    },
    async close() {
      await app.close();
      await speech?.close();
      await options.synthesizer?.close();
      await cache.pubsub.close();
      await cache.store.close();
      await database.close();
    },
  };
}

/**
 * A second instance of the app on the SAME database and Redis as `first` (as behind a load
 * balancer): its own pool, its own PubSub connections, its own outbox worker. Close it before `first`.
 */
export async function createSecondInstance(first: TestApp): Promise<{ app: FastifyInstance; close(): Promise<void> }> {
  const config = first.database.config;
  const db = await openDatabase(config, TEST_FIELD_KEYS);
  const cache = await openCache(config.redisUrl);
  const app = await buildApp({ config, db, sessionStore: cache.store, pubsub: cache.pubsub, tokens: first.tokens, speech: null, logger: false });
  await app.ready();
  return {
    app,
    async close() {
      await app.close();
      await cache.pubsub.close();
      await cache.store.close();
      await db.close();
    },
  };
}
