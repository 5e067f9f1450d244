import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import pg from 'pg';
import WebSocket from 'ws';
import { createTokenService } from '../../src/auth/tokens.js';
import { bundledModelPath } from '../../src/speech/model.js';
import { TEST_JWT_SECRET } from '../helpers/database.js';
import { createEmptyDatabase, findNginx, startInstance, startNginx, type Instance, type Proxy } from './cluster.js';
import { waitFor } from '../helpers/wait-for.js';
import { POSTGRES_MISSING, REDIS_MISSING, skipWithout } from '../helpers/skip.js';

/**
 * Two real server processes on one PostgreSQL database and one Redis, as behind a load balancer,
 * and nginx in front of them: dialogs, notifications and voice sessions must not care which
 * instance a request lands on, and losing one instance must leave the service answering.
 */

const notShared = skipWithout(POSTGRES_MISSING || REDIS_MISSING);
const nginx = findNginx();
// Redis database of this file, so its keys (dialogs, counters) stay apart from other test files'.
const REDIS_DB = 11;
const START_TIMEOUT_MS = 45_000;

interface CommandReply {
  sessionId: string;
  intent: string | null;
  slots: Record<string, unknown>;
  outcome: string;
  reply: { text: string };
}

interface Frame { type?: string; kind?: string; text?: string; intent?: string | null; outcome?: string; reply?: { text: string } }

/** A voice WebSocket that keeps every JSON frame and can wait for one. */
interface Voice {
  readonly socket: WebSocket;
  readonly frames: Frame[];
  /** `X-Upstream` of the upgrade response when it went through nginx. */
  readonly upstream: string | undefined;
  notifications(): Frame[];
  next(pred: (f: Frame) => boolean, what: string, timeoutMs?: number): Promise<Frame>;
  /** Sends a text command and resolves with its reply frame. */
  say(text: string): Promise<Frame>;
  close(): Promise<void>;
}

function openVoice(baseUrl: string, token: string, session?: string): Promise<Voice> {
  const url = new URL('/v1/voice', baseUrl.replace(/^http/, 'ws'));
  if (session) url.searchParams.set('session', session);
  const socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
  const frames: Frame[] = [];
  let upstream: string | undefined;
  socket.on('upgrade', (res) => { upstream = res.headers['x-upstream'] as string | undefined; });
  socket.on('message', (data, isBinary) => { if (!isBinary) frames.push(JSON.parse(data.toString()) as Frame); });
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  let seen = 0;
  const voice: Omit<Voice, 'upstream'> = {
    socket,
    frames,
    notifications: () => frames.filter((f) => f.type === 'notification'),
    async next(pred, what, timeoutMs = 10_000) {
      return waitFor(`${what} (frames so far: ${JSON.stringify(frames)})`, () => {
        const i = frames.findIndex((f, k) => k >= seen && pred(f));
        if (i < 0) return undefined;
        seen = i + 1;
        return frames[i];
      }, timeoutMs);
    },
    async say(text) {
      socket.send(JSON.stringify({ type: 'text', text }));
      return voice.next((f) => f.type === 'reply', `a reply to "${text}"`);
    },
    async close() {
      if (socket.readyState !== WebSocket.CLOSED) socket.close(1000);
      await closed;
    },
  };
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ ...voice, get upstream() { return upstream; } }));
    socket.once('error', reject);
    socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

async function command(baseUrl: string, token: string, text: string, sessionId: string, commandId?: string): Promise<CommandReply & { upstream?: string }> {
  const res = await fetch(`${baseUrl}/v1/commands`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ text, sessionId, ...(commandId ? { commandId } : {}) }),
  });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`POST /v1/commands on ${baseUrl}: ${res.status} ${body}`);
  return { ...(JSON.parse(body) as CommandReply), upstream: res.headers.get('x-upstream') ?? undefined };
}

describe.skipIf(notShared)('two server processes on one PostgreSQL and Redis', () => {
  let database: Awaited<ReturnType<typeof createEmptyDatabase>> | undefined;
  let a: Instance | undefined;
  let b: Instance | undefined;
  let db: pg.Client;
  let redis: Redis;
  const tokens = createTokenService(TEST_JWT_SECRET, 900);
  const token: Record<string, string> = {};
  const userId: Record<string, string> = {};
  const sockets: Voice[] = [];
  const track = (v: Voice) => { sockets.push(v); return v; };

  const A = () => a!;
  const B = () => b!;

  const balance = async (username: string) => Number((await db.query(
    `SELECT COALESCE(SUM(e.amount), 0)::int AS b FROM ledger_entries e JOIN users u ON u.id = e.user_id WHERE u.username = $1`, [username])).rows[0].b);
  const purchases = async (username: string, chip: string) => Number((await db.query(
    `SELECT count(*)::int AS n FROM transactions t JOIN users u ON u.id = t.buyer_id JOIN chips c ON c.id = t.chip_id
      WHERE u.username = $1 AND c.name = $2`, [username, chip])).rows[0].n);
  /** The voice route subscribes after the upgrade: wait until Redis counts `n` subscribers of the user. */
  const subscribed = (username: string, n: number) => waitFor(`${n} live session(s) of ${username}`, async () => {
    const [, count] = await redis.pubsub('NUMSUB', `holomesh:user:${userId[username]}`) as [string, number];
    return Number(count) >= n ? true : undefined;
  });

  beforeAll(async () => {
    database = await createEmptyDatabase(process.env.DATABASE_URL!);
    const redisUrl = new URL(process.env.REDIS_URL!);
    redisUrl.pathname = `/${REDIS_DB}`;
    const env = {
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl.toString(),
      JWT_SECRET: TEST_JWT_SECRET,
      FIELD_ENCRYPTION_KEYS: `test:${Buffer.alloc(32, 7).toString('base64')}`,
      SEED_DEMO: 'auto',
      // The bundled model needs no assembling into each instance's data dir; one worker each.
      SPEECH_MODEL_PATH: bundledModelPath(),
      SPEECH_WORKERS: '1',
      DB_POOL_SIZE: '5',
      SHUTDOWN_GRACE_MS: '2000',
      // Every client here is 127.0.0.1 (and so is nginx): per-IP and per-user request limits are not under test.
      WS_CONNECTIONS_PER_MINUTE: '100000',
      COMMAND_RATE_LIMIT_MAX: '100000',
    };
    // Started together on the empty database: both migrate and seed it at the same moment.
    const started = await Promise.allSettled([startInstance('a', env, START_TIMEOUT_MS), startInstance('b', env, START_TIMEOUT_MS)]);
    if (started[0].status === 'fulfilled') a = started[0].value;
    if (started[1].status === 'fulfilled') b = started[1].value;
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;

    db = new pg.Client({ connectionString: database.url });
    await db.connect();
    redis = new Redis(redisUrl.toString(), { lazyConnect: true });
    await redis.connect();
    const users = (await db.query(`SELECT id, username, role FROM users`)).rows as { id: string; username: string; role: 'client' | 'designer' | 'admin' }[];
    for (const u of users) {
      userId[u.username] = u.id;
      token[u.username] = tokens.issueAccessToken({ userId: u.id, username: u.username, role: u.role });
    }
  }, 75_000);

  afterAll(async () => {
    await Promise.allSettled(sockets.map((s) => s.close()));
    await Promise.allSettled([a?.stop(), b?.stop()]);
    // This run's users are new: drop their keys (dialogs, session slots) rather than wait for the TTLs.
    for (const id of Object.values(userId)) {
      const keys = await redis.keys(`*${id}*`).catch(() => []);
      if (keys.length > 0) await redis.del(...keys).catch(() => {});
    }
    redis?.disconnect();
    await db?.end().catch(() => {});
    await database?.drop();
  }, 30_000);

  it('both started at once on the empty database: migrated and seeded exactly once', async () => {
    expect((await db.query(`SELECT count(*)::int AS n FROM users WHERE username IN ('alex', 'sam', 'nova', 'aria', 'admin')`)).rows[0].n).toBe(5);
    expect((await db.query(`SELECT count(*)::int AS n FROM chips`)).rows[0].n).toBe(9);
    const migrations = (await db.query(`SELECT name, count(*)::int AS n FROM migrations GROUP BY name`)).rows as { n: number }[];
    expect(migrations.length).toBeGreaterThan(0);
    expect(migrations.every((m) => m.n === 1)).toBe(true);
    expect(await balance('alex')).toBe(500);
  });

  it('a purchase asked on one instance is confirmed on the other (HTTP and WebSocket, both ways)', async () => {
    // HTTP: the question on A, the "yes" on B.
    const session = `scale-${randomUUID()}`;
    const ask = await command(A().url, token.alex!, 'buy the neon dragon chip', session);
    expect(ask).toMatchObject({ intent: 'BuyChip', outcome: 'ok', slots: { chip: 'Neon Dragon' } });
    expect(ask.reply.text).toBe('Buy Neon Dragon by Nova for 25 credits? Say yes to confirm.');
    // The "yes" goes to B, and the same command is retried on A at once (a client that lost the
    // answer and went through the load balancer again): one purchase, the same answer twice.
    const commandId = `scale-yes-${randomUUID()}`;
    const yeses = await Promise.all([command(B().url, token.alex!, 'yes', session, commandId), command(A().url, token.alex!, 'yes', session, commandId)]);
    for (const yes of yeses) {
      expect(yes.outcome).toBe('ok');
      // The demo's past sales came first: the edition is the next one, whatever its number.
      expect(yes.reply.text).toMatch(/^Done\. You bought Neon Dragon number \d+ for 25 credits\. You have 475 credits left\.$/);
    }
    expect(await purchases('alex', 'Neon Dragon')).toBe(1);
    expect(await balance('alex')).toBe(475);
    // The confirmation is used up: another "yes" on A buys nothing.
    const again = await command(A().url, token.alex!, 'yes', session);
    expect(again.reply.text).not.toMatch(/You bought/);
    expect(await purchases('alex', 'Neon Dragon')).toBe(1);

    // WebSocket: the question on B, the socket closes, the same ?session= on A answers "yes".
    const wsSession = `scale-${randomUUID()}`;
    const onB = track(await openVoice(B().url, token.sam!, wsSession));
    const wsAsk = await onB.say('buy paper crane');
    expect(wsAsk).toMatchObject({ intent: 'BuyChip', outcome: 'ok' });
    expect(wsAsk.reply?.text).toBe('Buy Paper Crane by Aria Chen for 15 credits? Say yes to confirm.');
    await onB.close();
    const onA = track(await openVoice(A().url, token.sam!, wsSession));
    const wsYes = await onA.say('yes');
    expect(wsYes.reply?.text).toMatch(/^Done\. You bought Paper Crane number \d+ for 15 credits\. You have 85 credits left\.$/);
    await onA.close();
    expect(await purchases('sam', 'Paper Crane')).toBe(1);
  });

  it('a notification reaches the user\'s sockets on either instance, and nobody else\'s', async () => {
    const alexOnA = track(await openVoice(A().url, token.alex!));
    const alexOnB = track(await openVoice(B().url, token.alex!));
    const samOnB = track(await openVoice(B().url, token.sam!));
    const novaOnA = track(await openVoice(A().url, token.nova!));
    await Promise.all([subscribed('alex', 2), subscribed('sam', 1), subscribed('nova', 1)]);

    // Aria Chen (alex follows her, sam does not) publishes on A.
    const published = await fetch(`${A().url}/v1/chips`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.aria}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Prism Falls', priceCredits: 12, editionSize: 20, tags: ['water'] }),
    });
    expect(published.status, await published.clone().text()).toBe(201);
    const expected = 'New chip Prism Falls from Aria Chen, 12 credits';
    for (const socket of [alexOnA, alexOnB]) {
      const note = await socket.next((f) => f.type === 'notification', 'alex\'s new-chip notification');
      expect(note).toMatchObject({ kind: 'new_chip', text: expected });
    }

    // Then sam gets a top-up through A: Redis delivers one publisher's messages in order, so had the
    // new-chip notice reached sam's socket it would have arrived before this one.
    const topUp = await fetch(`${A().url}/v1/wallet/top-up`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'sam', credits: 50 }),
    });
    expect(topUp.status, await topUp.clone().text()).toBe(200);
    await samOnB.next((f) => f.type === 'notification', 'sam\'s top-up notification');
    expect(samOnB.notifications().map((f) => f.kind)).toEqual(['top_up']);
    expect(novaOnA.notifications()).toEqual([]);

    // B learnt the new chip name from A (its catalog lists are invalidated through Redis): alex buys
    // it on B. The invalidation travels apart from the HTTP reply, hence the short retry.
    const ask = await waitFor('B to understand the new chip name', async () => {
      const r = await alexOnB.say('buy prism falls');
      return r.intent === 'BuyChip' ? r : undefined;
    }, 5_000, 100);
    expect(ask.reply?.text).toBe('Buy Prism Falls by Aria Chen for 12 credits? Say yes to confirm.');
    const yes = await alexOnB.say('yes');
    expect(yes.reply?.text).toMatch(/^Done\. You bought Prism Falls number 1 for 12 credits\./);

    // A sale made on B reaches the designer's socket on A.
    const samBuys = `scale-${randomUUID()}`;
    await command(B().url, token.sam!, 'buy neon dragon', samBuys);
    await command(B().url, token.sam!, 'yes', samBuys);
    const sale = await novaOnA.next((f) => f.type === 'notification', 'nova\'s sale notification');
    expect(sale).toMatchObject({ kind: 'sale', text: expect.stringMatching(/^sam bought Neon Dragon #\d+$/) });
    expect(alexOnA.notifications().map((f) => f.kind)).toEqual(['new_chip']);

    await Promise.all([alexOnA.close(), alexOnB.close(), samOnB.close(), novaOnA.close()]);
  });

  it('auto-buys queued by a publish are carried out once, though both instances\' workers wake for them', async () => {
    // alex turns auto-buy on for Vega Flux through A, sam through B (each confirms on the other instance).
    for (const [user, first, second] of [['alex', A(), B()], ['sam', B(), A()]] as const) {
      const session = `scale-${randomUUID()}`;
      const ask = await command(first.url, token[user]!, 'turn on auto buy for vega flux', session);
      expect(ask).toMatchObject({ intent: 'SetAutoBuy', outcome: 'ok' });
      expect((await command(second.url, token[user]!, 'yes', session)).outcome).toBe('ok');
    }
    const alexOnA = track(await openVoice(A().url, token.alex!));
    const samOnB = track(await openVoice(B().url, token.sam!));
    await Promise.all([subscribed('alex', 1), subscribed('sam', 1)]);

    const published = await fetch(`${B().url}/v1/chips`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.vega}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Ember Drift', priceCredits: 10, editionSize: 5, tags: ['fire'] }),
    });
    expect(published.status, await published.clone().text()).toBe(201);
    expect((await published.json() as { autoBuysQueued: number }).autoBuysQueued).toBe(2);
    for (const socket of [alexOnA, samOnB]) {
      await socket.next((f) => f.kind === 'auto_buy', 'an auto-buy notification');
    }
    await waitFor('the outbox to empty', async () => ((await db.query(
      `SELECT count(*)::int AS n FROM outbox_events WHERE processed_at IS NULL`)).rows[0].n === 0 ? true : undefined));
    expect(await purchases('alex', 'Ember Drift')).toBe(1);
    expect(await purchases('sam', 'Ember Drift')).toBe(1);
    const editions = (await db.query(
      `SELECT e.edition_number AS n FROM editions e JOIN chips c ON c.id = e.chip_id WHERE c.name = 'Ember Drift' ORDER BY 1`)).rows as { n: number }[];
    expect(editions.map((e) => Number(e.n))).toEqual([1, 2]);
    expect((await db.query(`SELECT outcome FROM outbox_events ORDER BY id`)).rows.map((r: { outcome: string }) => r.outcome)).toEqual(['bought', 'bought']);
    const told = (await db.query(`SELECT count(*)::int AS n FROM notifications WHERE kind = 'auto_buy'`)).rows[0].n;
    expect(told).toBe(2);
    await Promise.all([alexOnA.close(), samOnB.close()]);
    expect(alexOnA.notifications().filter((f) => f.kind === 'auto_buy')).toHaveLength(1);
    expect(samOnB.notifications().filter((f) => f.kind === 'auto_buy')).toHaveLength(1);
  });

  it('the per-user voice session cap counts sessions on both instances', async () => {
    // MAX_VOICE_SESSIONS_PER_USER is 4: two on each instance fill it, a fifth is refused on either.
    const open = await Promise.all([A(), A(), B(), B()].map(async (i) => track(await openVoice(i.url, token.kenji!))));
    await expect(openVoice(A().url, token.kenji!)).rejects.toThrow('HTTP 429');
    await expect(openVoice(B().url, token.kenji!)).rejects.toThrow('HTTP 429');
    // A slot given back on A can be taken on B.
    await open[0]!.close();
    const again = await waitFor('a freed slot', async () => track(await openVoice(B().url, token.kenji!)), 5_000, 50);
    await Promise.all([...open.slice(1), again].map((v) => v.close()));
  });

  describe.skipIf(skipWithout(!nginx && 'nginx not found (apt-get install nginx): the load-balanced tests skipped'))('behind nginx (round robin)', () => {
    let proxy: Proxy | undefined;
    beforeAll(async () => {
      proxy = await startNginx(nginx!, [`127.0.0.1:${A().port}`, `127.0.0.1:${B().port}`]);
    }, 20_000);
    afterAll(async () => {
      await proxy?.stop();
    });
    const P = () => proxy!;

    it('spreads many requests over both instances and every one succeeds', async () => {
      const users = ['alex', 'sam', 'nova', 'aria', 'admin'];
      const results = await Promise.all(Array.from({ length: 60 }, async (_, i) => {
        if (i % 3 === 0) {
          const res = await fetch(`${P().url}/ready`);
          return { status: res.status, upstream: res.headers.get('x-upstream') };
        }
        const user = users[i % users.length]!;
        const res = await fetch(`${P().url}/v1/commands`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token[user]}`, 'content-type': 'application/json' },
          body: JSON.stringify({ text: 'what\'s my balance', sessionId: `scale-${randomUUID()}` }),
        });
        const body = await res.json() as CommandReply;
        expect(body.intent).toBe('CheckBalance');
        return { status: res.status, upstream: res.headers.get('x-upstream') };
      }));
      expect(results.filter((r) => r.status !== 200)).toEqual([]);
      const perInstance = new Map<string, number>();
      for (const r of results) perInstance.set(r.upstream ?? '?', (perInstance.get(r.upstream ?? '?') ?? 0) + 1);
      expect([...perInstance.keys()].sort()).toEqual([`127.0.0.1:${A().port}`, `127.0.0.1:${B().port}`].sort());
      for (const n of perInstance.values()) expect(n).toBeGreaterThanOrEqual(20);
    });

    it('carries dialogs across instances and voice sessions through the proxy', async () => {
      // Round robin sends consecutive requests to alternate instances: each dialog's two turns
      // land wherever they land, and every one completes.
      const crossed: boolean[] = [];
      // Editions alex bought here (the demo's past sales may have taken the first numbers).
      const bought: number[] = [];
      const spoken = (n: number[]) => (n.length === 1 ? `number ${n[0]}` : `numbers ${n.slice(0, -1).join(', ')} and ${n.at(-1)}`);
      for (let i = 0; i < 4; i++) {
        const session = `scale-${randomUUID()}`;
        const ask = await command(P().url, token.alex!, 'buy aurora veil', session);
        // From the second purchase on, the question says which editions alex already owns.
        expect(ask.reply.text).toBe(bought.length === 0
          ? 'Buy Aurora Veil by Lumen Labs for 20 credits? Say yes to confirm.'
          : `You already own Aurora Veil ${spoken(bought)}. Buy another for 20 credits? Say yes to confirm.`);
        const yes = await command(P().url, token.alex!, 'yes', session);
        const edition = /^Done\. You bought Aurora Veil number (\d+) for 20 credits\./.exec(yes.reply.text)?.[1];
        expect(edition, yes.reply.text).toBeDefined();
        bought.push(Number(edition));
        crossed.push(ask.upstream !== yes.upstream);
      }
      expect(crossed).toContain(true);
      expect(await purchases('alex', 'Aurora Veil')).toBe(4);

      const voices = await Promise.all(['alex', 'sam', 'alex', 'sam'].map(async (u) => track(await openVoice(P().url, token[u]!))));
      expect(new Set(voices.map((v) => v.upstream)).size).toBe(2);
      const replies = await Promise.all(voices.map((v) => v.say('what\'s my balance')));
      for (const r of replies) expect(r).toMatchObject({ intent: 'CheckBalance', outcome: 'ok' });
      expect(replies[0]!.reply?.text).toBe(`You have ${await balance('alex')} credits.`);
      await Promise.all(voices.map((v) => v.close()));
    });

    it('keeps answering when an instance dies, and a dialog open on it continues on the other', async () => {
      // A purchase question asked on A; then A dies without a goodbye.
      const session = `scale-${randomUUID()}`;
      const onA = track(await openVoice(A().url, token.sam!, session));
      const ask = await onA.say('buy crystal wave');
      expect(ask.reply?.text).toBe('Buy Crystal Wave by Aria Chen for 30 credits? Say yes to confirm.');
      const aAddress = `127.0.0.1:${A().port}`;
      const bAddress = `127.0.0.1:${B().port}`;
      A().child.kill('SIGKILL');
      await A().exited;

      // Every request still succeeds: the one nginx tries on A first is passed on to B.
      const results = [];
      for (let i = 0; i < 12; i++) {
        const res = await fetch(`${P().url}/ready`);
        results.push({ status: res.status, upstream: res.headers.get('x-upstream') ?? '' });
      }
      expect(results.filter((r) => r.status !== 200)).toEqual([]);
      expect(results.every((r) => r.upstream.endsWith(bAddress))).toBe(true);
      // After the failure A is out of the rotation: the later requests go straight to B.
      expect(results.slice(-6).every((r) => r.upstream === bAddress)).toBe(true);
      expect(await P().errorLog()).toContain(aAddress);

      // The client reconnects through the proxy with the same session and confirms.
      const back = track(await openVoice(P().url, token.sam!, session));
      expect(back.upstream).toBe(bAddress);
      const yes = await back.say('yes');
      expect(yes.reply?.text).toMatch(/^Done\. You bought Crystal Wave number \d+ for 30 credits\./);
      expect(await purchases('sam', 'Crystal Wave')).toBe(1);
      await back.close();
    });
  });
});
