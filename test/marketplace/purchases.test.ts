import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { Chip, Notification, User } from '../../src/db/entities/index.js';
import { balanceOf, buyChip, topUp } from '../../src/marketplace/index.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
let ds: DataSource;
const FEE_BPS = 1_000;

const userId = async (username: string) => (await ds.getRepository(User).findOneByOrFail({ username })).id;
const chipByName = (name: string) => ds.getRepository(Chip).findOneByOrFail({ name });
const balance = (id: string) => balanceOf(ds.manager, id);
const buy = (buyerId: string, chipId: string, key: string) =>
  ds.transaction((m) => buyChip(m, { buyerId, chipId, idempotencyKey: key, platformFeeBps: FEE_BPS }));

async function newClient(username: string, credits: number): Promise<string> {
  return ds.transaction(async (m) => {
    const user = await m.save(m.create(User, { username, email: `${username}@test.invalid`, passwordHash: 'x', role: 'client', totpSecret: null }));
    if (credits > 0) await topUp(m, user.id, credits);
    return user.id;
  });
}

beforeAll(async () => {
  t = await createTestApp();
  ds = t.database.db.dataSource;
});
afterAll(() => t?.close());

describe('buyChip', () => {
  it('charges the buyer, numbers the edition, pays designers exactly, balances the ledger, notifies', async () => {
    const alex = await userId('alex');
    const nova = await userId('nova');
    const kenji = await userId('kenji');
    const koi = await chipByName('Starlight Koi'); // 40 credits, Nova 70 % / Kenji 30 %
    const before = { alex: await balance(alex), nova: await balance(nova), kenji: await balance(kenji) };

    const result = await buy(alex, koi.id, 'p-1');
    expect(result.kind).toBe('bought');
    if (result.kind !== 'bought') return;
    const { sale } = result;
    expect(sale.editionNumber).toBe(1);
    expect(sale.priceCredits).toBe(40);
    expect(sale.platformFeeCredits).toBe(4);
    expect(sale.balanceAfter).toBe(before.alex - 40);
    expect(Object.fromEntries(sale.payouts.map((p) => [p.designerId, p.amount]))).toEqual({ [nova]: 25, [kenji]: 11 });

    expect(await balance(alex)).toBe(before.alex - 40);
    expect(await balance(nova)).toBe(before.nova + 25);
    expect(await balance(kenji)).toBe(before.kenji + 11);
    const [fees] = await ds.query(`SELECT COALESCE(SUM(amount), 0)::int AS s FROM ledger_entries WHERE system_account = 'platform_fees'`);
    expect(fees.s).toBe(4);
    const [ledger] = await ds.query(`SELECT SUM(amount)::int AS s, COUNT(*)::int AS n FROM ledger_entries WHERE transaction_id = $1`, [sale.purchaseId]);
    expect(ledger).toEqual({ s: 0, n: 4 });
    const [payouts] = await ds.query(`SELECT SUM(amount_credits)::int AS s FROM royalty_payouts WHERE transaction_id = $1`, [sale.purchaseId]);
    expect(payouts.s).toBe(36);

    expect((await chipByName('Starlight Koi')).editionsSold).toBe(1);
    const [edition] = await ds.query(`SELECT edition_number, owner_id FROM editions WHERE purchase_id = $1`, [sale.purchaseId]);
    expect(edition).toEqual({ edition_number: 1, owner_id: alex });

    const notes = await ds.getRepository(Notification).find({ where: { kind: 'sale' } });
    expect(notes.map((n) => n.userId).sort()).toEqual([nova, kenji].sort());
    expect(notes.every((n) => n.text === 'alex bought Starlight Koi #1')).toBe(true);

    const second = await buy(alex, koi.id, 'p-2');
    expect(second.kind === 'bought' && second.sale.editionNumber).toBe(2);
  });

  it('refuses politely when the balance is too low, and charges nothing', async () => {
    const poor = await newClient('poor', 10);
    const dragon = await chipByName('Neon Dragon');
    const result = await buy(poor, dragon.id, 'poor-1');
    expect(result).toEqual({ kind: 'insufficient_credits', chipName: 'Neon Dragon', priceCredits: 25, balance: 10 });
    expect(await balance(poor)).toBe(10);
    const [{ n }] = await ds.query(`SELECT COUNT(*)::int AS n FROM transactions WHERE buyer_id = $1`, [poor]);
    expect(n).toBe(0);
  });

  it('refuses a sold-out edition', async () => {
    const rich = await newClient('rich', 10_000);
    const chip = await chipByName('Midnight Bloom');
    await ds.query(`UPDATE chips SET edition_size = 1 WHERE id = $1`, [chip.id]);
    expect((await buy(rich, chip.id, 'mb-1')).kind).toBe('bought');
    expect(await buy(rich, chip.id, 'mb-2')).toEqual({ kind: 'sold_out', chipName: 'Midnight Bloom' });
    expect(await balance(rich)).toBe(10_000 - 35);
  });

  it('answers a retried key with the first sale and never charges twice (also concurrently)', async () => {
    const buyer = await newClient('retrier', 1_000);
    const chip = await chipByName('Paper Crane');
    const results = await Promise.all(Array.from({ length: 5 }, () => buy(buyer, chip.id, 'same-key')));
    const sales = results.map((r) => (r.kind === 'bought' ? r.sale : null));
    expect(sales.every((s) => s !== null && s.purchaseId === sales[0]!.purchaseId)).toBe(true);
    expect(sales.filter((s) => !s!.isReplay)).toHaveLength(1);
    const again = await buy(buyer, chip.id, 'same-key');
    expect(again.kind === 'bought' && again.sale.isReplay).toBe(true);
    expect(await balance(buyer)).toBe(1_000 - 15);
    const [{ n }] = await ds.query(`SELECT COUNT(*)::int AS n FROM transactions WHERE buyer_id = $1`, [buyer]);
    expect(n).toBe(1);
  });

  it('sells exactly the edition size to 60 concurrent buyers, with no negative balance', async () => {
    const chip = await chipByName('Quantum Koi'); // 10 editions at 60 credits
    const buyers = await Promise.all(Array.from({ length: 60 }, (_, i) => newClient(`crowd${i}`, i % 7 === 0 ? 30 : 100)));
    const results = await Promise.all(buyers.map((b, i) => buy(b, chip.id, `crowd-${i}`)));
    const bought = results.filter((r) => r.kind === 'bought');
    expect(bought).toHaveLength(10);
    expect(results.filter((r) => r.kind === 'sold_out' || r.kind === 'insufficient_credits')).toHaveLength(50);
    const numbers = bought.map((r) => (r.kind === 'bought' ? r.sale.editionNumber : 0)).sort((a, b) => a - b);
    expect(numbers).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect((await chipByName('Quantum Koi')).editionsSold).toBe(10);
    const [{ negative }] = await ds.query(
      `SELECT COUNT(*)::int AS negative FROM (SELECT user_id, SUM(amount) AS b FROM ledger_entries WHERE user_id IS NOT NULL GROUP BY user_id) w WHERE w.b < 0`);
    expect(negative).toBe(0);
  });
});

describe('publishChip', () => {
  it('notifies subscribers and queues auto-buys that the outbox worker makes within caps and balances', async () => {
    const { publishChip, enableAutoBuy, findDesigner, subscribe } = await import('../../src/marketplace/index.js');
    const vega = (await findDesigner(ds.manager, 'Vega Flux'))!;
    const capped = await newClient('capped', 500);
    const eager = await newClient('eager', 500);
    const broke = await newClient('broke', 5);
    const watcher = await newClient('watcher', 500);
    await enableAutoBuy(ds.manager, capped, vega, 10);
    await enableAutoBuy(ds.manager, eager, vega, null);
    await enableAutoBuy(ds.manager, broke, vega, 100);
    await subscribe(ds.manager, watcher, vega);
    const result = await ds.transaction((m) => publishChip(m, {
      designerId: vega.id, name: 'Comet Tail', tokenId: 'hm-test-comet-tail', priceCredits: 30, editionSize: 3, tags: ['Space'],
    }));
    expect(result.autoBuysQueued).toBe(2); // eager and broke; capped's cap is below the price
    await t.app.outbox.drain();
    expect(await balance(eager)).toBe(470);
    expect(await balance(capped)).toBe(500);
    expect(await balance(broke)).toBe(5);
    const texts = async (id: string) => (await ds.getRepository(Notification).find({ where: { userId: id }, order: { createdAt: 'ASC' } })).map((n) => n.text);
    expect(await texts(watcher)).toEqual(['New chip Comet Tail from Vega Flux, 30 credits']);
    expect(await texts(eager)).toEqual(['New chip Comet Tail from Vega Flux, 30 credits', 'Auto-bought Comet Tail #1 for 30 credits']);
    expect(await texts(broke)).toContain("Couldn't auto-buy Comet Tail: not enough credits (it costs 30, you have 5)");
    expect(await texts(vega.id)).toContain('eager bought Comet Tail #1');
    const [sale] = await ds.query(`SELECT kind FROM transactions WHERE chip_id = $1`, [result.chipId]);
    expect(sale.kind).toBe('auto_buy');
  });
});
