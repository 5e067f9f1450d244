import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildApp } from '../../src/app.js';
import { openCache } from '../../src/cache/index.js';
import { createTokenService } from '../../src/auth/tokens.js';
import { hashPassword } from '../../src/auth/passwords.js';
import { seedDemoCatalog } from '../../src/demo/seed.js';
import { User } from '../../src/db/entities/index.js';
import { createSpeechEngine } from '../../src/speech/index.js';
import { float32ToPcm16 } from '../../src/speech/pcm.js';
import { writeWav } from '../../src/speech/wav.js';
import { createTestDatabase, TEST_JWT_SECRET, type TestDatabase } from '../helpers/database.js';
import { synthesize } from '../helpers/audio.js';
import { skipWithout } from '../helpers/skip.js';

/** The Chromium to drive: Debian's package by default (`apt-get install chromium`). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM_PATH);
export const CHROMIUM_MISSING = `Chromium not found at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH): browser tests skipped`;

/** Screenshots of the main screens, for people to look at (gitignored). */
export const ARTIFACTS = join(process.cwd(), 'test-artifacts');

export interface ConsoleServer {
  readonly app: FastifyInstance;
  readonly database: TestDatabase;
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
  /** Passwords of the seeded demo accounts (alex, sam, nova, …). */
  readonly passwords: ReadonlyMap<string, string>;
  /** A user id by username. */
  userId(username: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * The whole app on a fresh seeded database, listening on 127.0.0.1 at a random port, with the
 * real speech engine when `speech` is set. Always `close()` it.
 */
export async function startConsoleServer(options: { speech?: boolean } = {}): Promise<ConsoleServer> {
  // Every sign-in and socket of the suite comes from 127.0.0.1: lift the per-IP limits.
  const database = await createTestDatabase({ AUTH_RATE_LIMIT_MAX: '1000', LOGIN_FAILURE_LIMIT: '100', WS_CONNECTIONS_PER_MINUTE: '1000' });
  const seeded = await seedDemoCatalog(database.db.dataSource, { activity: false });
  const cache = await openCache(database.config.redisUrl);
  const tokens = createTokenService(TEST_JWT_SECRET, database.config.jwtAccessTtlS);
  const speech = options.speech
    ? await createSpeechEngine({ engine: 'soundswallower', cacheDir: database.config.dataDir, workers: 1 })
    : null;
  const app = await buildApp({
    config: database.config, db: database.db, sessionStore: cache.store, pubsub: cache.pubsub, tokens, speech, logger: false,
  });
  if (speech) {
    // Build the grammar and load the model once before any page waits on them.
    const stream = await speech.openStream(await app.voiceGrammar());
    await stream.close();
  }
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    app,
    database,
    baseUrl: `http://127.0.0.1:${port}`,
    passwords: new Map(seeded.createdAccounts.map((a) => [a.username, a.password])),
    async userId(username) {
      return (await database.db.dataSource.getRepository(User).findOneByOrFail({ username })).id;
    },
    async close() {
      await app.close();
      await speech?.close();
      await cache.pubsub.close();
      await cache.store.close();
      await database.close();
    },
  };
}

/** Creates an account directly in the database (e.g. with a hostile display name). */
export async function createAccount(server: ConsoleServer, input: { username: string; password: string; role: 'client' | 'designer'; displayName?: string }): Promise<string> {
  const ds = server.database.db.dataSource;
  const [user] = await ds.query(
    'INSERT INTO users (username, email, password_hash, role) VALUES ($1, $2, $3, $4) RETURNING id',
    [input.username, `${input.username}@example.test`, await hashPassword(input.password), input.role]) as [{ id: string }];
  if (input.role === 'designer') {
    await ds.query('INSERT INTO designer_profiles (user_id, display_name) VALUES ($1, $2)', [user.id, input.displayName ?? input.username]);
  } else {
    await ds.query('INSERT INTO client_profiles (user_id) VALUES ($1)', [user.id]);
  }
  return user.id;
}

/**
 * A WAV for Chromium's fake microphone: `text` spoken by espeak-ng, after `leadSeconds` of
 * silence and before `tailSeconds`. Chromium loops the file while the microphone is open: the
 * long tail keeps a press that ends soon after `speechEndS` from hearing the command twice.
 */
export function writeMicrophoneWav(dir: string, text: string, leadSeconds = 0.3, tailSeconds = 8): { file: string; speechEndS: number } {
  const rate = 16_000;
  const speech = synthesize(text, { sampleRate: rate, padSeconds: 0 });
  const samples = new Float32Array(Math.round((leadSeconds + tailSeconds) * rate) + speech.length);
  samples.set(speech, Math.round(leadSeconds * rate));
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${text.replace(/[^a-z0-9]+/gi, '-')}.wav`);
  writeFileSync(file, writeWav(float32ToPcm16(samples), rate));
  return { file, speechEndS: leadSeconds + speech.length / rate };
}

/** Debian's Chromium, headless, with a fake microphone playing `microphoneWav` when given. */
export function launchChromium(microphoneWav?: string): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      ...(microphoneWav ? [`--use-file-for-fake-audio-capture=${microphoneWav}`] : []),
    ],
  });
}

/** Problems a page reported: CSP violations, uncaught errors, dialogs (an XSS would open one). */
export interface PageWatch {
  readonly errors: string[];
  readonly dialogs: string[];
}

/** A new page of `context` whose errors and dialogs are collected. */
export async function openPage(context: BrowserContext, url: string): Promise<{ page: Page; watch: PageWatch }> {
  const page = await context.newPage();
  const watch: PageWatch = { errors: [], dialogs: [] };
  page.on('pageerror', (err) => watch.errors.push(`pageerror: ${err.message}`));
  page.on('console', (message) => { if (message.type() === 'error') watch.errors.push(`console: ${message.text()}`); });
  page.on('dialog', (dialog) => { watch.dialogs.push(dialog.message()); void dialog.dismiss(); });
  await page.goto(url);
  return { page, watch };
}

/** Signs in through the form and waits for the Talk view and the live connection. */
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#view-talk').waitFor({ timeout: 10_000 });
  await waitConnected(page);
}

export async function waitConnected(page: Page): Promise<void> {
  await page.locator('#connection[data-state="open"]').waitFor({ timeout: 10_000 });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Whether to skip a browser suite: without Chromium on a laptop; under CI, where `.ci/run` installs it, a failure. */
export const noChromium = (): boolean => skipWithout(!hasChromium && CHROMIUM_MISSING);

export interface ConsoleInChromium {
  readonly server: ConsoleServer;
  readonly browser: Browser;
  /** A desktop-sized context shared by the block's tests. */
  readonly context: BrowserContext;
}

/** A console server and Chromium for the tests of one describe block, started before them and closed after. */
export function useConsoleInChromium(): ConsoleInChromium {
  let live: { server: ConsoleServer; browser: Browser; context: BrowserContext } | undefined;
  const opened = (): NonNullable<typeof live> => {
    if (!live) throw new Error('the console and Chromium are only there inside the tests');
    return live;
  };
  beforeAll(async () => {
    const [server, browser] = await Promise.all([startConsoleServer(), launchChromium()]);
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, reducedMotion: 'reduce' });
    live = { server, browser, context };
  });
  afterAll(async () => {
    await live?.context.close();
    await live?.browser.close();
    await live?.server.close();
  });
  return {
    get server() { return opened().server; },
    get browser() { return opened().browser; },
    get context() { return opened().context; },
  };
}
