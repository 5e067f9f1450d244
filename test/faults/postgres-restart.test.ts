import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { createClients, expectMoneyInvariants } from '../money/helpers.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/index.js';
import { TEST_FIELD_KEYS } from '../helpers/database.js';
import { createSeededDatabase, faultEnv, openFaultApp, type FaultApp } from './fault-app.js';
import { startLoad, type Load, type Sample } from './load.js';
import { postgresMissing, startPrivatePostgres, type PrivatePostgres } from './servers.js';
import { waitFor } from '../helpers/wait-for.js';
import { skipWithout } from '../helpers/skip.js';

const missing = postgresMissing();
const DB_DOWN = { error: { code: 'HM_ERR_DB_UNAVAILABLE', message: 'the database is unavailable, try again shortly' } };
const BUYERS = 4;

/**
 * A private PostgreSQL cluster is restarted (a clean fast shutdown, then a crash) while buyers
 * keep buying: no command is answered without its log row, clients get a fast 503 while it is
 * down, and the same pool serves again once it is back.
 */
describe.skipIf(skipWithout(missing))(`PostgreSQL restarted mid-load${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let pgs: PrivatePostgres;
  let f: FaultApp;
  let ds: DataSource;
  let tokens: string[];
  beforeAll(async () => {
    pgs = await startPrivatePostgres();
    f = await openFaultApp(await createSeededDatabase(pgs.url(), 'holomesh_fault_pg'));
    ds = f.app.db.dataSource;
    const buyers = await createClients(ds, 'pgbuyer', BUYERS, () => 100_000);
    tokens = buyers.map((b) => f.tokens.issueAccessToken({ userId: b.id, username: b.username, role: 'client' }));
  });
  afterAll(async () => {
    await f?.close();
    await pgs?.close();
  });
  // A test that fails while PostgreSQL is down must not take the next ones with it.
  afterEach(async () => { await pgs?.start(); });

  const send = (token: string) => async (r: { text: string; sessionId: string; commandId: string }) => {
    const res = await f.command(token, r);
    return { status: res.statusCode, body: res.json() as Record<string, unknown> };
  };
  const ready = () => f.app.inject({ method: 'GET', url: '/ready' });

  /** Every buyer in a loop: ask to buy, confirm, check the balance. */
  const startBuying = (prefix: string): Load[] => tokens.map((token, i) => startLoad(send(token), {
    workers: 1,
    texts: [i % 2 ? 'buy the paper crane chip' : 'buy the aurora veil chip', 'yes', "what's my balance"],
    prefix: `${prefix}${i}`,
  }));
  const all = (loads: readonly Load[]) => loads.flatMap((l) => l.samples);
  const okSince = (loads: readonly Load[], since: number) => all(loads).filter((s) => s.startedAt >= since && s.status === 200).length;

  /** Stops the server under load, checks what clients see meanwhile, starts it and waits for recovery. */
  const restartUnderLoad = async (loads: Load[], mode: 'fast' | 'immediate') => {
    await waitFor('commands succeeding before the fault', () => okSince(loads, Date.now() - 60_000) >= 12, 20_000);
    // A voice session open across the outage: error frames meanwhile, the same socket works after.
    const ws = await f.app.injectWS('/v1/voice', { headers: { authorization: `Bearer ${tokens[0]}` } });
    const frames: Record<string, unknown>[] = [];
    ws.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString('utf8')) as Record<string, unknown>));
    const stoppedAt = Date.now();
    await pgs.stop(mode);
    await waitFor('503s while PostgreSQL is down', () => all(loads).filter((s) => s.startedAt >= stoppedAt && s.status === 503).length >= 8);
    const down = await ready();
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({ status: 'not_ready', checks: { database: expect.stringMatching(/^down: /), cache: 'ok' } });
    ws.send(JSON.stringify({ type: 'text', text: "what's my balance", commandId: `pg-ws-down-${mode}` }));
    expect(await waitFor('an error frame', () => frames.find((fr) => fr.type === 'error'))).toEqual({ type: 'error', ...DB_DOWN.error });

    await pgs.start();
    const startedAt = Date.now();
    // The same data source and pool: broken connections were dropped, new ones are made on demand.
    const first = await waitFor('a command succeeding after the restart', () => all(loads).find((s) => s.startedAt >= startedAt && s.status === 200), 15_000);
    expect(first.startedAt - startedAt).toBeLessThan(10_000);
    await waitFor('steady successes after the restart', () => okSince(loads, first.startedAt) >= 12, 20_000);
    expect((await ready()).statusCode).toBe(200);
    expect(ws.readyState).toBe(ws.OPEN);
    ws.send(JSON.stringify({ type: 'text', text: "what's my balance", commandId: `pg-ws-up-${mode}` }));
    expect(await waitFor('a reply frame', () => frames.find((fr) => fr.type === 'reply'))).toMatchObject({ commandId: `pg-ws-up-${mode}`, outcome: 'ok' });
    ws.terminate();
  };

  it('starts when PostgreSQL comes up only after the service began to start', async () => {
    await pgs.stop('fast');
    const dataDir = await mkdtemp(join(tmpdir(), 'holomesh-fault-late-'));
    try {
      const opening = openDatabase(loadConfig(faultEnv(pgs.url('holomesh_fault_pg'), undefined, dataDir)), TEST_FIELD_KEYS);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await pgs.start();
      const db = await opening;
      try {
        expect(await db.dataSource.query("SELECT username FROM users WHERE username = 'alex'")).toEqual([{ username: 'alex' }]);
      } finally {
        await db.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('answers every command with its logged result or a fast 503 across a fast shutdown and a crash', async () => {
    const loads = startBuying('pg');
    try {
      await restartUnderLoad(loads, 'fast');
      await restartUnderLoad(loads, 'immediate');
    } finally {
      await Promise.all(loads.map((l) => l.stop()));
    }
    const samples = all(loads);
    const acked = samples.filter((s) => s.status === 200);
    const failed = samples.filter((s) => s.status !== 200);
    expect(failed.length).toBeGreaterThan(0);
    for (const s of failed) {
      expect(s.status, JSON.stringify(s)).toBe(503);
      expect(s.body).toEqual(DB_DOWN);
      expect(s.ms, s.commandId).toBeLessThan(6_000);
    }
    // An "error" outcome would be a failure dressed as an answer: there must be none.
    for (const s of acked) expect((s.body as { outcome: string }).outcome, JSON.stringify(s.body)).not.toBe('error');

    // No command acknowledged without its log row, and the row says what the client was told.
    const rows = await ds.query(
      `SELECT command_id, outcome, reply_text FROM voice_commands WHERE command_id = ANY($1::text[])`,
      [samples.map((s) => s.commandId)]) as { command_id: string; outcome: string; reply_text: string }[];
    const byId = new Map(rows.map((r) => [r.command_id, r]));
    for (const s of acked) {
      const body = s.body as { outcome: string; reply: { text: string } };
      expect(byId.get(s.commandId), s.commandId).toEqual({ command_id: s.commandId, outcome: body.outcome, reply_text: body.reply.text });
    }
    // Every sale has the log row of the "yes" that made it, and every acknowledged sale is a sale.
    expect(await ds.query(
      `SELECT t.id FROM transactions t WHERE NOT EXISTS (SELECT 1 FROM voice_commands v WHERE v.reply -> 'data' ->> 'purchaseId' = t.id::text)`)).toEqual([]);
    const sold = acked.filter((s) => /^Done\. You bought/.test((s.body as { reply: { text: string } }).reply.text));
    expect(sold.length).toBeGreaterThan(0);
    const [{ n }] = await ds.query(
      `SELECT COUNT(*)::int AS n FROM transactions t JOIN users u ON u.id = t.buyer_id WHERE u.username LIKE 'pgbuyer%'`) as { n: number }[];
    expect(n).toBeGreaterThanOrEqual(sold.length);
    await expectMoneyInvariants(ds);

    // A refused command retried with its id is answered once: from its row if it had committed, else now.
    await expectRetriesAnsweredOnce(failed);
  });

  const expectRetriesAnsweredOnce = async (failed: readonly Sample[]) => {
    const tokenOf = (s: Sample) => tokens[Number(/^pg(\d+)-/.exec(s.commandId)![1])]!;
    for (const s of failed.slice(0, 12)) {
      const first = await f.command(tokenOf(s), { text: s.text, sessionId: s.sessionId, commandId: s.commandId });
      expect(first.statusCode).toBe(200);
      const again = await f.command(tokenOf(s), { text: s.text, sessionId: s.sessionId, commandId: s.commandId });
      expect(again.json()).toEqual(first.json());
    }
    const [{ n, ids }] = await ds.query(
      `SELECT COUNT(*)::int AS n, COUNT(DISTINCT command_id)::int AS ids FROM voice_commands WHERE command_id = ANY($1::text[])`,
      [failed.slice(0, 12).map((s) => s.commandId)]) as { n: number; ids: number }[];
    expect({ n, ids }).toEqual({ n: Math.min(12, failed.length), ids: Math.min(12, failed.length) });
    await expectMoneyInvariants(ds);
  };
});
