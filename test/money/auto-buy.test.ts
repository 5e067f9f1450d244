import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { openDatabase } from '../../src/db/index.js';
import {
  createOutboxWorker, enableAutoBuy, findDesigner, handleAutoBuy, subscribe, type DesignerRef, type OutboxWorkerOptions,
} from '../../src/marketplace/index.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { TEST_FIELD_KEYS } from '../helpers/database.js';
import { balances, createClients, expectMoneyInvariants } from './helpers.js';
import { POSTGRES_MISSING, skipWithout } from '../helpers/skip.js';
import { publishChip } from '../helpers/chips.js';

let t: TestApp;
let ds: DataSource;
let vega: DesignerRef;
const FEE_BPS = 1_000;

beforeAll(async () => {
  t = await createTestApp();
  ds = t.database.db.dataSource;
  // This file drives the workers itself: the app's own worker would race them for every event.
  await t.app.outbox.stop();
  vega = (await findDesigner(ds.manager, 'Vega Flux'))!;
});
afterAll(() => t?.close());

const worker = (extra: Partial<OutboxWorkerOptions> = {}) =>
  createOutboxWorker({ dataSource: ds, pubsub: t.app.pubsub, settings: { platformFeeBps: FEE_BPS }, retryDelayMs: 10, ...extra });

let serial = 0;
async function publish(priceCredits: number, editionSize: number | null = null): Promise<{ id: string; name: string; autoBuysQueued: number }> {
  serial += 1;
  return publishChip(t, 'vega', { name: `Comet ${['Alpha', 'Beta', 'Gamma', 'Delta', 'Epsilon', 'Zeta'][serial]}`, priceCredits, editionSize, tags: ['space'] });
}

const purchasesOf = async (chipId: string) => ds.query(
  `SELECT t.buyer_id, t.kind, t.idempotency_key, e.edition_number FROM transactions t JOIN editions e ON e.purchase_id = t.id
    WHERE t.chip_id = $1 ORDER BY e.edition_number`, [chipId]) as Promise<{ buyer_id: string; kind: string; idempotency_key: string; edition_number: number }[]>;
const textsOf = async (userId: string) =>
  (await ds.query(`SELECT text FROM notifications WHERE user_id = $1 ORDER BY created_at, id`, [userId]) as { text: string }[]).map((r) => r.text);
const events = async (chipId: string) => ds.query(
  `SELECT payload->>'clientId' AS client_id, attempts, outcome, processed_at IS NOT NULL AS done FROM outbox_events WHERE payload->>'chipId' = $1`, [chipId],
) as Promise<{ client_id: string; attempts: number; outcome: string | null; done: boolean }[]>;

describe('auto-buy through the outbox', () => {
  let seq = 0;
  let fans: { id: string; username: string }[];
  beforeEach(async () => {
    // Fresh subscribers per test: [no cap, cap 100, cap 30 (below the price), cap 50 but 10 credits, plain subscriber].
    seq += 1;
    await ds.query(`DELETE FROM subscriptions WHERE designer_id = $1`, [vega.id]);
    fans = await createClients(ds, `fan${seq}-`, 5, (i) => (i === 3 ? 10 : 500));
    await enableAutoBuy(ds.manager, fans[0]!.id, vega, null);
    await enableAutoBuy(ds.manager, fans[1]!.id, vega, 100);
    await enableAutoBuy(ds.manager, fans[2]!.id, vega, 30);
    await enableAutoBuy(ds.manager, fans[3]!.id, vega, 50);
    await subscribe(ds.manager, fans[4]!.id, vega);
  });

  it('buys once for each eligible subscriber, even with two workers racing and every event delivered twice', async () => {
    const chip = await publish(40, 100);
    expect(chip.autoBuysQueued).toBe(3); // no cap, cap 100, and cap 50 (who lacks the credits); cap 30 is not queued
    const [a, b] = [worker({ concurrency: 3 }), worker({ concurrency: 3 })];
    await Promise.all([a.drain(), b.drain()]);
    // Delivered again: every event back to pending, two workers again, plus the handler called directly.
    await ds.query(`UPDATE outbox_events SET processed_at = NULL WHERE payload->>'chipId' = $1`, [chip.id]);
    await Promise.all([a.drain(), b.drain()]);
    for (const e of await events(chip.id)) {
      await ds.transaction((m) => handleAutoBuy(m, { chipId: chip.id, clientId: e.client_id }, { platformFeeBps: FEE_BPS }));
    }

    const sales = await purchasesOf(chip.id);
    expect(sales.map((s) => s.buyer_id).sort()).toEqual([fans[0]!.id, fans[1]!.id].sort());
    expect(sales.map((s) => s.edition_number)).toEqual([1, 2]);
    expect(sales.every((s) => s.kind === 'auto_buy' && s.idempotency_key === `autobuy:${chip.id}:${s.buyer_id}`)).toBe(true);
    const after = await balances(ds, fans.map((f) => f.id));
    expect(fans.map((f) => after.get(f.id))).toEqual([460, 460, 500, 10, 500]);

    const news = `New chip ${chip.name} from Vega Flux, 40 credits`;
    for (const f of fans) expect((await textsOf(f.id))[0]).toBe(news);
    const no0 = sales.find((s) => s.buyer_id === fans[0]!.id)!.edition_number;
    expect(await textsOf(fans[0]!.id)).toEqual([news, `Auto-bought ${chip.name} #${no0} for 40 credits`]);
    expect(await textsOf(fans[2]!.id)).toEqual([news]);
    expect(await textsOf(fans[3]!.id)).toEqual([news, `Couldn't auto-buy ${chip.name}: not enough credits (it costs 40, you have 10)`]);
    expect(await textsOf(fans[4]!.id)).toEqual([news]);
    const sold = (await textsOf(vega.id)).filter((x) => x.includes(chip.name));
    expect(sold.sort()).toEqual([`${fans[0]!.username} bought ${chip.name} #${no0}`, `${fans[1]!.username} bought ${chip.name} #${3 - no0}`].sort());

    const outcomes = Object.fromEntries((await events(chip.id)).map((e) => [e.client_id, e.outcome]));
    expect(outcomes).toEqual({ [fans[0]!.id]: 'bought', [fans[1]!.id]: 'bought', [fans[3]!.id]: 'insufficient_credits' });
    await expectMoneyInvariants(ds);
  });

  it('tells the subscriber when the chip sold out first, and respects auto-buy switched off after publishing', async () => {
    const chip = await publish(40, 1);
    await ds.query(`UPDATE subscriptions SET auto_buy = false WHERE client_id = $1`, [fans[1]!.id]);
    await worker({ concurrency: 1 }).drain();
    const sales = await purchasesOf(chip.id);
    expect(sales.map((s) => s.buyer_id)).toEqual([fans[0]!.id]);
    expect((await textsOf(fans[1]!.id)).filter((x) => x.includes('auto-buy') || x.includes('Auto-bought'))).toEqual([]);
    const outcomes = Object.fromEntries((await events(chip.id)).map((e) => [e.client_id, e.outcome]));
    expect(outcomes).toEqual({ [fans[0]!.id]: 'bought', [fans[1]!.id]: 'auto_buy_off', [fans[3]!.id]: 'sold_out' });
    expect(await textsOf(fans[3]!.id)).toContain(`Couldn't auto-buy ${chip.name}: it sold out`);
  });

  it('completes exactly once after a worker crashes between the purchase and the commit', async () => {
    const chip = await publish(40);
    const crashed: string[] = [];
    const crashing = worker({
      concurrency: 1,
      retryDelayMs: 1_000, // longer than this drain: each event crashes exactly once
      beforeCommit: (event) => {
        crashed.push(event.id);
        throw new Error('simulated crash after the purchase, before the commit');
      },
    });
    await crashing.drain(); // every event: purchase made inside the transaction, then the crash rolls it back
    expect(crashed).toHaveLength(3);
    expect(await purchasesOf(chip.id)).toEqual([]);
    expect((await balances(ds, [fans[0]!.id])).get(fans[0]!.id)).toBe(500);
    expect((await events(chip.id)).every((e) => e.attempts === 1 && !e.done)).toBe(true);

    await ds.query(`UPDATE outbox_events SET available_at = now() WHERE payload->>'chipId' = $1`, [chip.id]); // skip the back-off
    await worker().drain();
    const sales = await purchasesOf(chip.id);
    expect(sales.map((s) => s.buyer_id).sort()).toEqual([fans[0]!.id, fans[1]!.id].sort());
    expect((await events(chip.id)).every((e) => e.done)).toBe(true);
    expect((await textsOf(fans[0]!.id)).filter((x) => x.startsWith('Auto-bought'))).toHaveLength(1);
    await expectMoneyInvariants(ds);
  });

  // Needs a second connection to kill: a real PostgreSQL (the embedded one runs one connection).
  it.skipIf(skipWithout(POSTGRES_MISSING))('completes exactly once after an instance dies holding an event (its connection killed mid-transaction)', async () => {
    const chip = await publish(40);
    const [target] = (await events(chip.id)).filter((e) => e.client_id === fans[0]!.id);
    expect(target).toBeDefined();

    // The dying instance: its own connection claims the event and makes the purchase, but never commits.
    const dying = await openDatabase(t.database.config, TEST_FIELD_KEYS, { migrate: false });
    const runner = dying.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    const [{ pid }] = await runner.query('SELECT pg_backend_pid() AS pid') as [{ pid: number }];
    const [row] = await runner.query(
      `SELECT id, payload FROM outbox_events WHERE payload->>'chipId' = $1 AND payload->>'clientId' = $2 FOR UPDATE SKIP LOCKED`,
      [chip.id, fans[0]!.id]) as { id: string; payload: Record<string, unknown> }[];
    const inFlight = await handleAutoBuy(runner.manager, row!.payload, { platformFeeBps: FEE_BPS });
    expect(inFlight.outcome).toBe('bought');
    const stuck = runner.query('SELECT pg_sleep(30)').catch((err: unknown) => err);

    // Meanwhile a healthy worker skips the claimed event and waits behind the dead transaction's chip lock.
    const healthy = worker().drain();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await purchasesOf(chip.id)).toEqual([]);

    // The instance dies: PostgreSQL rolls its transaction back and releases its locks and the event.
    await ds.query('SELECT pg_terminate_backend($1)', [pid]);
    expect(await stuck).toBeInstanceOf(Error);
    await runner.release().catch(() => {});
    await dying.close().catch(() => {});
    await healthy;
    await worker().drain();

    const sales = await purchasesOf(chip.id);
    expect(sales.map((s) => s.buyer_id).sort()).toEqual([fans[0]!.id, fans[1]!.id].sort());
    expect((await balances(ds, [fans[0]!.id])).get(fans[0]!.id)).toBe(460);
    expect((await textsOf(fans[0]!.id)).filter((x) => x.startsWith('Auto-bought'))).toHaveLength(1);
    await expectMoneyInvariants(ds);
  });
});
