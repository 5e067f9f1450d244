import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { buildApp } from '../../src/app.js';
import { openCache } from '../../src/cache/index.js';
import { createTokenService, type TokenService } from '../../src/auth/tokens.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/index.js';
import { seedDemoCatalog } from '../../src/demo/seed.js';
import { TEST_FIELD_KEYS, TEST_JWT_SECRET } from '../helpers/database.js';

/** Settings every fault-test instance uses (in process or as a child `holomesh serve`). */
export function faultEnv(databaseUrl: string, redisUrl: string | undefined, dataDir: string): Record<string, string> {
  return {
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    JWT_SECRET: TEST_JWT_SECRET,
    SPEECH_WORKERS: '1',
    DATABASE_URL: databaseUrl,
    ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
    SEED_DEMO: 'never',
    // The load below is the point, not the abuse limits.
    COMMAND_RATE_LIMIT_MAX: '100000',
    AUTH_RATE_LIMIT_MAX: '100000',
    WS_CONNECTIONS_PER_MINUTE: '100000',
  };
}

/** Creates `name` on the server of `baseUrl` (postgres database), migrated and seeded with the demo catalog. */
export async function createSeededDatabase(baseUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'holomesh-fault-seed-'));
  const db = await openDatabase(loadConfig(faultEnv(url.toString(), undefined, dataDir)), TEST_FIELD_KEYS);
  try {
    await seedDemoCatalog(db.dataSource, { activity: false });
  } finally {
    await db.close();
    await rm(dataDir, { recursive: true, force: true });
  }
  return url.toString();
}

export interface FaultApp {
  readonly app: FastifyInstance;
  readonly tokens: TokenService;
  tokenFor(username: string): Promise<string>;
  /** POST /v1/commands as `token`. */
  command(token: string, body: { text: string; sessionId?: string; commandId?: string }): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/** The whole app in this process (not listening: inject) on an existing, migrated database. */
export async function openFaultApp(databaseUrl: string, redisUrl?: string): Promise<FaultApp> {
  const dataDir = await mkdtemp(join(tmpdir(), 'holomesh-fault-app-'));
  const config = loadConfig(faultEnv(databaseUrl, redisUrl, dataDir));
  const db = await openDatabase(config, TEST_FIELD_KEYS);
  const cache = await openCache(config.redisUrl);
  const tokens = createTokenService(TEST_JWT_SECRET, config.jwtAccessTtlS);
  const app = await buildApp({ config, db, sessionStore: cache.store, pubsub: cache.pubsub, tokens, speech: null, synthesizer: null, logger: false });
  await app.ready();
  return {
    app,
    tokens,
    async tokenFor(username) {
      const [user] = await db.dataSource.query('SELECT id, username, role FROM users WHERE username = $1', [username]) as { id: string; username: string; role: 'client' | 'designer' | 'admin' }[];
      if (!user) throw new Error(`no user ${username}`);
      return tokens.issueAccessToken({ userId: user.id, username: user.username, role: user.role });
    },
    command: (token, body) => app.inject({ method: 'POST', url: '/v1/commands', headers: { authorization: `Bearer ${token}` }, payload: body }),
    async close() {
      await app.close();
      await cache.pubsub.close();
      await cache.store.close();
      await db.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
