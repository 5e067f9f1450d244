import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenService } from '../../src/auth/tokens.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/index.js';
import { TEST_FIELD_KEYS, TEST_JWT_SECRET } from '../helpers/database.js';
import { createClients, expectMoneyInvariants } from '../money/helpers.js';
import { createSeededDatabase, faultEnv, openFaultApp, type FaultApp } from './fault-app.js';
import { startLoad, type Load, type Sample } from './load.js';
import { postgresMissing, redisMissing, startPrivatePostgres, startPrivateRedis, type PrivatePostgres, type PrivateRedis } from './servers.js';
import { waitFor } from '../helpers/wait-for.js';
import { skipWithout } from '../helpers/skip.js';
import { spawnServer, type ServerProcess } from '../helpers/server-process.js';

const missing = postgresMissing() ?? redisMissing();
const DATABASE = 'holomesh_fault_kill';
/** Chips whose sales the test holds mid-transaction (their designers' rows locked), one buyer each. */
const HELD = ['Solar Flare', 'Midnight Bloom', 'Quantum Koi', 'Glitch Garden', 'Starlight Koi'];
const HELD_DESIGNERS = ['vega', 'mira', 'kenji'];
/** Chips the steady stream keeps buying meanwhile (their sales are never held). */
const STREAMED = ['Paper Crane', 'Crystal Wave', 'Aurora Veil', 'Neon Dragon'];
const CREDITS = 10_000;

interface Client { readonly id: string; readonly username: string; readonly token: string }

/**
 * An instance is SIGKILLed while purchases are in flight — some held mid-transaction by row
 * locks (rows written, not committed), others streaming — and a new instance takes over: no
 * half purchase survives, and every unanswered command retried with its id completes exactly once.
 */
describe.skipIf(skipWithout(missing))(`an instance killed mid-purchase${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let pgs: PrivatePostgres;
  let redis: PrivateRedis;
  let dataDir: string;
  let url: string;
  let held: Client[];
  let streamers: Client[];
  let next: FaultApp | undefined;
  let instance: ServerProcess | undefined;
  beforeAll(async () => {
    [pgs, redis] = await Promise.all([startPrivatePostgres(), startPrivateRedis()]);
    dataDir = await mkdtemp(join(tmpdir(), 'holomesh-fault-kill-'));
    url = await createSeededDatabase(pgs.url(), DATABASE);
    const setup = await openDatabase(loadConfig(faultEnv(url, undefined, dataDir)), TEST_FIELD_KEYS);
    const tokens = createTokenService(TEST_JWT_SECRET, 3_600);
    try {
      const users = await createClients(setup.dataSource, 'killbuyer', HELD.length + STREAMED.length, () => CREDITS);
      const clients = users.map((u) => ({ ...u, token: tokens.issueAccessToken({ userId: u.id, username: u.username, role: 'client' }) }));
      held = clients.slice(0, HELD.length);
      streamers = clients.slice(HELD.length);
    } finally {
      await setup.close();
    }
    // Configured by its settings alone, as in production.
    instance = await spawnServer({ env: faultEnv(url, redis.url, dataDir), inheritEnv: false, readyTimeoutMs: 120_000 });
  }, 180_000);
  afterAll(async () => {
    instance?.child.kill('SIGKILL');
    await next?.close();
    await redis?.close();
    await pgs?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const over = (base: string, token: string) => async (body: { text: string; sessionId: string; commandId: string }) => {
    const res = await fetch(`${base}/v1/commands`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() as Record<string, unknown> };
  };

  it('leaves no half purchase, and the retries on a new instance complete each one exactly once', async () => {
    const a = instance!;
    const admin = new pg.Client({ connectionString: url, application_name: 'holomesh-fault-test' });
    const locker = new pg.Client({ connectionString: url, application_name: 'holomesh-fault-test' });
    await Promise.all([admin.connect(), locker.connect()]);
    const loads: Load[] = [];
    try {
      // Each held buyer has a read-back pending (in Redis) before the fault.
      for (const [i, c] of held.entries()) {
        const ask = await over(a.url, c.token)({ text: `buy the ${HELD[i]!.toLowerCase()} chip`, sessionId: `held-${i}-session`, commandId: `held-${i}-buy` });
        expect(ask.body, JSON.stringify(ask.body)).toMatchObject({ intent: 'BuyChip', reply: { expectsReply: true } });
      }
      // The stream: each streamer asks and confirms, over and over, until the instance dies.
      for (const [i, c] of streamers.entries()) {
        loads.push(startLoad(over(a.url, c.token), { workers: 1, texts: [`buy the ${STREAMED[i]!.toLowerCase()} chip`, 'yes'], prefix: `stream${i}`, stopWhenUnanswered: true }));
      }
      await waitFor('streamed purchases before the fault', () => loads.every((l) => l.samples.filter((s) => s.status === 200).length >= 4), 60_000);

      // Hold the sales of HELD chips mid-transaction: their payouts and ledger rows wait for these row locks.
      await locker.query('BEGIN');
      const { rows: [{ pid: lockerPid }] } = await locker.query('SELECT pg_backend_pid() AS pid') as { rows: { pid: number }[] };
      await locker.query(`SELECT id FROM users WHERE username = ANY($1) FOR UPDATE`, [HELD_DESIGNERS]);
      const confirms = held.map((c, i) => over(a.url, c.token)({ text: 'yes', sessionId: `held-${i}-session`, commandId: `held-${i}-yes` }).then(
        (r) => ({ answered: true as const, ...r }), (err: unknown) => ({ answered: false as const, err })));
      await waitFor('every held sale waiting on the locked rows', async () => {
        const { rows: [{ n }] } = await admin.query(
          `SELECT COUNT(*)::int AS n FROM pg_stat_activity WHERE application_name = 'holomesh' AND $1 = ANY(pg_blocking_pids(pid))`, [lockerPid]);
        return n === HELD.length;
      }, 30_000);
      // Written but not committed: the sale rows exist inside the held transactions only.
      const { rows: [{ n: visible }] } = await admin.query(`SELECT COUNT(*)::int AS n FROM transactions WHERE idempotency_key LIKE 'held-%'`);
      expect(visible).toBe(0);

      a.child.kill('SIGKILL');
      await new Promise((resolve) => (a.child.exitCode !== null || a.child.signalCode !== null ? resolve(null) : a.child.once('exit', resolve)));
      await Promise.all(loads.map((l) => l.stop()));
      for (const result of await Promise.all(confirms)) expect(result.answered, JSON.stringify(result)).toBe(false);
      await locker.query('ROLLBACK');
      // The dead instance's sessions end (their open transactions roll back) once PostgreSQL reads EOF.
      await waitFor('the killed instance\'s sessions to end', async () => {
        const { rows: [{ n }] } = await admin.query(`SELECT COUNT(*)::int AS n FROM pg_stat_activity WHERE application_name = 'holomesh'`);
        return n === 0;
      }, 30_000);
      const { rows: leftovers } = await admin.query(
        `SELECT t.id FROM transactions t JOIN users u ON u.id = t.buyer_id WHERE u.id = ANY($1::uuid[])`, [held.map((c) => c.id)]);
      expect(leftovers).toEqual([]);
      const { rows: heldChips } = await admin.query(`SELECT name, editions_sold FROM chips WHERE name = ANY($1) AND editions_sold <> 0`, [HELD]);
      expect(heldChips).toEqual([]);
    } finally {
      await locker.end().catch(() => {});
      await admin.end().catch(() => {});
      await Promise.all(loads.map((l) => l.stop()));
    }

    // A new instance on the same PostgreSQL and Redis; the clients retry what got no answer.
    next = await openFaultApp(url, redis.url);
    const ds = next.app.db.dataSource;
    await expectMoneyInvariants(ds);
    const b = next;
    const retry = async (token: string, body: { text: string; sessionId: string; commandId: string }) => {
      const res = await b.command(token, body);
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as { commandId: string; intent: string; outcome: string; reply: { text: string; expectsReply: boolean } };
    };

    for (const [i, c] of held.entries()) {
      const body = { text: 'yes', sessionId: `held-${i}-session`, commandId: `held-${i}-yes` };
      // The read-back survived in Redis, so the confirmation completes now …
      const done = await retry(c.token, body);
      expect(done).toMatchObject({ intent: 'BuyChip', outcome: 'ok', reply: { text: expect.stringMatching(new RegExp(`^Done\\. You bought ${HELD[i]} number 1 `)) } });
      // … and only once: the same id again is answered from the log, a new "yes" finds nothing to confirm.
      expect(await retry(c.token, body)).toEqual(done);
      expect(await retry(c.token, { ...body, commandId: `held-${i}-yes-again` })).toMatchObject({ outcome: 'rejected', reply: { text: "There's nothing to confirm right now." } });
    }

    const bought = new Map<string, number>();
    for (const [i, c] of streamers.entries()) {
      const samples = loads[i]!.samples;
      const unanswered = samples.filter((s) => s.status !== 200);
      // A worker stops at its first unanswered command: the one in flight when the instance died, or the next.
      expect(unanswered.length, JSON.stringify(unanswered)).toBe(1);
      const last: Sample = unanswered[0]!;
      const answer = await retry(c.token, { text: last.text, sessionId: last.sessionId, commandId: last.commandId });
      expect(answer.intent).toBe('BuyChip');
      if (last.text === 'yes') expect(answer.reply.text).toMatch(new RegExp(`^Done\\. You bought ${STREAMED[i]} number `));
      expect(await retry(c.token, { text: last.text, sessionId: last.sessionId, commandId: last.commandId })).toEqual(answer);
      const confirmed = [...samples.filter((s) => s.status === 200).map((s) => (s.body as { reply: { text: string } }).reply.text), answer.reply.text]
        .filter((text) => text.startsWith('Done. You bought')).length;
      bought.set(c.id, confirmed);
    }

    // Exactly the purchases that were answered "Done", each whole: sale, edition, payouts, balanced ledger.
    const rows = await ds.query(
      `SELECT u.id, COUNT(t.id)::int AS n FROM users u LEFT JOIN transactions t ON t.buyer_id = u.id WHERE u.id = ANY($1::uuid[]) GROUP BY u.id`,
      [[...held, ...streamers].map((c) => c.id)]) as { id: string; n: number }[];
    for (const r of rows) expect(r.n, r.id).toBe(bought.get(r.id) ?? 1);
    await expectMoneyInvariants(ds);
  }, 120_000);
});
