import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { buyChip, buyEditions, type OrderResult } from '../../src/marketplace/index.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { conversation } from '../http/commands-helpers.js';
import { balances, createClients, expectMoneyInvariants } from './helpers.js';
import { POSTGRES_MISSING, skipWithout } from '../helpers/skip.js';
import { chipIdOf, userIdOf } from '../helpers/lookups.js';
import { answerCollaboration, publishChip } from '../helpers/chips.js';

/** Orders of several editions: one read-back, all editions in one transaction or none. */

let t: TestApp;
let ds: DataSource;
const FEE_BPS = 1_000; // the default PLATFORM_FEE_BPS

beforeAll(async () => {
  t = await createTestApp();
  ds = t.database.db.dataSource;
});
afterAll(() => t?.close());

const userId = (username: string): Promise<string> => userIdOf(ds, username);
const chipId = (name: string): Promise<string> => chipIdOf(ds, name);
const tokenOf = (u: { id: string; username: string }) => t.tokens.issueAccessToken({ userId: u.id, username: u.username, role: 'client' });

/** A fresh chip of Nova's with Kenji as an accepted collaborator, published through the API. */
async function publish(name: string, priceCredits: number, editionSize: number | null): Promise<string> {
  const { id } = await publishChip(t, 'nova', { name, priceCredits, editionSize, tags: ['test'], collaborators: [{ designer: 'Kenji Sato', shareBps: 3_333 }] });
  await answerCollaboration(t, 'kenji', id, true);
  return id;
}

describe('buying several editions by voice', () => {
  it('reads back the whole order with its total, and a yes buys every edition', async () => {
    const [buyer] = await createClients(ds, 'pair', 1, () => 200);
    const c = conversation(t.app, tokenOf(buyer!));
    const ask = await c.say('buy two neon dragons');
    expect(ask.intent).toBe('BuyChip');
    expect(ask.slots).toMatchObject({ chip: 'Neon Dragon', quantity: 2 });
    expect(ask.reply.text).toBe('Buy 2 editions of Neon Dragon by Nova, 25 credits each, 50 credits in total? Say yes to confirm.');
    expect(ask.reply.ssml).toContain('<say-as interpret-as="cardinal">50</say-as> credits in total');

    const yes = await c.say('yes');
    expect(yes.outcome).toBe('ok');
    expect(yes.reply.text).toMatch(/^Done\. You bought 2 editions of Neon Dragon, numbers \d+ and \d+, for 50 credits in total\. You have 150 credits left\.$/);
    const data = yes.reply.data as { editionNumbers: number[]; purchaseIds: string[]; totalCredits: number };
    expect(data.totalCredits).toBe(50);
    expect(data.purchaseIds).toHaveLength(2);
    expect(data.editionNumbers[1]).toBe(data.editionNumbers[0]! + 1);
    expect((await balances(ds, [buyer!.id])).get(buyer!.id)).toBe(150);
    const owned = await ds.query('SELECT COUNT(*)::int AS n FROM editions WHERE owner_id = $1', [buyer!.id]);
    expect(owned[0].n).toBe(2);
    await expectMoneyInvariants(ds);
  });

  it('"get me three paper cranes" is one order; an unclear answer re-asks with the total', async () => {
    const [buyer] = await createClients(ds, 'crane', 1, () => 100);
    const c = conversation(t.app, tokenOf(buyer!));
    expect((await c.say('get me three paper cranes')).reply.text).toBe('Buy 3 editions of Paper Crane by Aria Chen, 15 credits each, 45 credits in total? Say yes to confirm.');
    expect((await c.say('banana')).reply.text).toBe('Say yes to buy 3 editions of Paper Crane for 45 credits, or no to cancel.');
    expect((await c.say('no')).reply.text).toBe("Okay, I won't buy it.");
    expect((await balances(ds, [buyer!.id])).get(buyer!.id)).toBe(100);
  });

  it('reads a longer order\'s editions back as a range', async () => {
    const [buyer] = await createClients(ds, 'veil', 1, () => 200);
    const c = conversation(t.app, tokenOf(buyer!));
    expect((await c.say('buy four aurora veils')).reply.text).toBe('Buy 4 editions of Aurora Veil by Lumen Labs, 20 credits each, 80 credits in total? Say yes to confirm.');
    const yes = await c.say('yes');
    const [first] = (yes.reply.data as { editionNumbers: number[] }).editionNumbers;
    expect(yes.reply.text).toBe(`Done. You bought 4 editions of Aurora Veil, numbers ${first} to ${first! + 3}, for 80 credits in total. You have 120 credits left.`);
  });

  it('refuses before the read-back an order whose total is not affordable, saying what it would cost', async () => {
    const [buyer] = await createClients(ds, 'short', 1, () => 100);
    const c = conversation(t.app, tokenOf(buyer!));
    const refused = await c.say('buy three quantum koi');
    expect(refused.outcome).toBe('rejected');
    expect(refused.reply.text).toBe('3 editions of Quantum Koi cost 180 credits, but you have only 100 credits. You could buy one.');
    expect(refused.reply.expectsReply).toBe(false);
    expect((await c.say('yes')).reply.text).toBe("There's nothing to confirm right now.");
    expect((await balances(ds, [buyer!.id])).get(buyer!.id)).toBe(100);
    const [{ n }] = await ds.query('SELECT COUNT(*)::int AS n FROM transactions WHERE buyer_id = $1', [buyer!.id]);
    expect(n).toBe(0);
  });

  it('refuses more than ten editions before reading anything back', async () => {
    const c = conversation(t.app, await t.tokenFor('alex'));
    const ask = await c.say('buy twenty paper cranes');
    expect(ask.outcome).toBe('rejected');
    expect(ask.reply.text).toBe('You can buy one to 10 editions at a time.');
    expect(ask.reply.expectsReply).toBe(false);
  });

  it('buys none when fewer editions are left than asked for, and says how many are', async () => {
    const chip = await publish('Twin Comet', 10, 3);
    const [first, second] = await createClients(ds, 'comet', 2, () => 100);
    const c = conversation(t.app, tokenOf(second!));
    // Three are left when the order is read back; one is sold before the yes.
    expect((await c.say('buy three twin comets')).reply.text).toBe('Buy 3 editions of Twin Comet by Nova, 10 credits each, 30 credits in total? Say yes to confirm.');
    expect((await ds.transaction((m) => buyChip(m, { buyerId: first!.id, chipId: chip, idempotencyKey: 'comet-1', platformFeeBps: FEE_BPS }))).kind).toBe('bought');
    const yes = await c.say('yes');
    expect(yes.reply.text).toBe("Only 2 editions of Twin Comet are left, so I didn't buy any. Ask for 2 or fewer.");
    expect((await balances(ds, [second!.id])).get(second!.id)).toBe(100);
    await expectMoneyInvariants(ds);

    // Asked now, the shortage is said at once, with nothing read back.
    const now = await c.say('buy three twin comets');
    expect(now).toMatchObject({ outcome: 'rejected', reply: { text: "Only 2 editions of Twin Comet are left, so I didn't buy any. Ask for 2 or fewer.", expectsReply: false } });
  });

  it('a retried order (same key) charges once and answers with the same editions', async () => {
    const [buyer] = await createClients(ds, 'again', 1, () => 1_000);
    const crane = await chipId('Paper Crane');
    const order = () => ds.transaction((m) => buyEditions(m, { buyerId: buyer!.id, chipId: crane, idempotencyKey: 'order-key', platformFeeBps: FEE_BPS, quantity: 4 }));
    const results = await Promise.all([order(), order(), order()]);
    const numbers = results.map((r) => (r.kind === 'bought' ? r.order.editionNumbers.join(',') : r.kind));
    expect(new Set(numbers).size).toBe(1);
    expect(results.filter((r) => r.kind === 'bought' && !r.order.isReplay)).toHaveLength(1);
    expect((await balances(ds, [buyer!.id])).get(buyer!.id)).toBe(1_000 - 4 * 15);
    await expectMoneyInvariants(ds);
  });
});

describe.skipIf(skipWithout(POSTGRES_MISSING))('orders racing single purchases (real PostgreSQL)', () => {
  it('never oversells a 20-edition chip, each order gets all its editions or none, and payouts sum exactly', { timeout: 60_000 }, async () => {
    const price = 47;
    const chip = await publish('Prism Heron', price, 20);
    const orderers = await createClients(ds, 'orderer', 8, () => 1_000);
    const singles = await createClients(ds, 'single', 30, (i) => (i % 7 === 0 ? 20 : 100));
    const [nova, kenji] = [await userId('nova'), await userId('kenji')];
    const ids = [...orderers, ...singles].map((b) => b.id);
    const before = await balances(ds, [...ids, nova, kenji]);

    // Orders of 3 (8 × 3 = 24) and 30 singles all race for 20 editions.
    type Attempt = { buyerId: string; quantity: number; result: OrderResult };
    const attempts: Promise<Attempt>[] = [
      ...orderers.map(async (b, i): Promise<Attempt> => ({
        buyerId: b.id, quantity: 3,
        result: await ds.transaction((m) => buyEditions(m, { buyerId: b.id, chipId: chip, idempotencyKey: `heron-order-${i}`, platformFeeBps: FEE_BPS, quantity: 3, agreedPrice: price })),
      })),
      ...singles.map(async (b, i): Promise<Attempt> => {
        const r = await ds.transaction((m) => buyChip(m, { buyerId: b.id, chipId: chip, idempotencyKey: `heron-single-${i}`, platformFeeBps: FEE_BPS }));
        return { buyerId: b.id, quantity: 1, result: r.kind === 'bought' ? { kind: 'bought', order: { editionNumbers: [r.sale.editionNumber] } as never } : r as OrderResult };
      }),
    ];
    const results = await Promise.all(attempts.sort(() => Math.random() - 0.5));
    for (const r of results) expect(['bought', 'sold_out', 'not_enough_left', 'insufficient_credits']).toContain(r.result.kind);

    const sales = await ds.query(`SELECT t.buyer_id, e.edition_number FROM transactions t JOIN editions e ON e.purchase_id = t.id
      WHERE t.chip_id = $1 ORDER BY e.edition_number`, [chip]) as { buyer_id: string; edition_number: number }[];
    const [{ editions_sold: sold }] = await ds.query('SELECT editions_sold FROM chips WHERE id = $1', [chip]);
    expect(sales.length).toBe(sold);
    expect(sold).toBeLessThanOrEqual(20);
    expect(sales.map((s) => s.edition_number)).toEqual(Array.from({ length: sold }, (_, i) => i + 1));

    // All or none per buyer, and what each was charged matches what they got.
    const after = await balances(ds, [...ids, nova, kenji]);
    const got = new Map<string, number>();
    for (const s of sales) got.set(s.buyer_id, (got.get(s.buyer_id) ?? 0) + 1);
    for (const r of results) {
      const n = got.get(r.buyerId) ?? 0;
      expect(n).toBe(r.result.kind === 'bought' ? r.quantity : 0);
      expect(after.get(r.buyerId)).toBe(before.get(r.buyerId)! - n * price);
    }
    // Nobody could buy once 20 were gone: the stock ran out (some orders or singles were refused).
    expect(results.some((r) => r.result.kind === 'sold_out' || r.result.kind === 'not_enough_left')).toBe(true);

    // Per sale: fee 4, Nova 29, Kenji 14; summed over every edition sold, exactly.
    const debits = ids.reduce((s, id) => s + (before.get(id)! - after.get(id)!), 0);
    expect(debits).toBe(sold * price);
    expect(after.get(nova)! - before.get(nova)!).toBe(sold * 29);
    expect(after.get(kenji)! - before.get(kenji)!).toBe(sold * 14);
    const [{ fees }] = await ds.query('SELECT SUM(platform_fee_credits)::int AS fees FROM transactions WHERE chip_id = $1', [chip]);
    expect(fees).toBe(sold * 4);
    await expectMoneyInvariants(ds);
  });
});
