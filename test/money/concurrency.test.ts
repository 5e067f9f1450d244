import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { buyChip, postTransfer, type BuyResult } from '../../src/marketplace/index.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { conversation } from '../http/commands-helpers.js';
import { balances, createClients, expectMoneyInvariants } from './helpers.js';
import { POSTGRES_MISSING, skipWithout } from '../helpers/skip.js';
import { answerCollaboration, publishChip } from '../helpers/chips.js';

let t: TestApp;
let ds: DataSource;
const FEE_BPS = 1_000; // the default PLATFORM_FEE_BPS

beforeAll(async () => {
  if (!process.env.DATABASE_URL) return;
  t = await createTestApp();
  ds = t.database.db.dataSource;
});
afterAll(() => t?.close());


const tokenOf = (u: { id: string; username: string }) => t.tokens.issueAccessToken({ userId: u.id, username: u.username, role: 'client' });

/** Real concurrency needs a real server: the embedded database runs one connection. */
const noPostgres = skipWithout(POSTGRES_MISSING);

describe.skipIf(noPostgres)('money under concurrency (real PostgreSQL)', () => {
  it('sells a 10-edition chip to exactly 10 of 200 concurrent buyers (half by voice commands over HTTP), and every credit adds up', { timeout: 60_000 }, async () => {
    const price = 47;
    const chip = await publishChip(t, 'nova', {
      name: 'Prism Falcon', priceCredits: price, editionSize: 10, tags: ['bird'], collaborators: [{ designer: 'Kenji Sato', shareBps: 3_333 }],
    });
    // The listed collaborator accepts (until then their share is paid to the publisher).
    await answerCollaboration(t, 'kenji', chip.id, true);
    const buyers = await createClients(ds, 'buyer', 200, (i) => (i % 9 === 0 ? 20 : 100 + i));
    const ids = buyers.map((b) => b.id);
    const before = await balances(ds, [...ids, ...(await designerIds())]);

    // The voice buyers get their read-back first (those who cannot afford it are told so, not asked);
    // then every "yes" and every direct purchase races at once.
    const conversations = new Map<string, ReturnType<typeof conversation>>();
    await Promise.all([...buyers.entries()].filter(([i]) => i % 2 === 0).map(async ([i, b]) => {
      const c = conversation(t.app, tokenOf(b));
      const ask = await c.say('buy prism falcon');
      if (i % 9 === 0) {
        expect(ask.reply.text).toBe(`Prism Falcon costs ${price} credits, but you have only 20 credits. You could look for chips under 20 credits.`);
        return;
      }
      expect(ask.reply.text).toBe(`Buy Prism Falcon by Nova for ${price} credits? Say yes to confirm.`);
      conversations.set(b.id, c);
    }));

    const started = performance.now();
    type Attempt = { buyerId: string; via: 'http' | 'function'; bought: boolean };
    // Arrivals spread over a second; a direct call skips the HTTP, session and logging work, so it
    // arrives a little later, which keeps the race between the two paths fair.
    const arrival = (isDirect: boolean) => new Promise((resolve) => setTimeout(resolve, Math.random() * 1_000 + (isDirect ? 250 : 0)));
    const attempts: Promise<Attempt>[] = buyers.map(async (b, i): Promise<Attempt> => {
      const c = conversations.get(b.id);
      await arrival(!c);
      if (c) {
        const done = await c.say('yes');
        expect(done.outcome, done.reply.text).not.toBe('error');
        return { buyerId: b.id, via: 'http', bought: done.outcome === 'ok' };
      }
      const result: BuyResult = await ds.transaction((m) => buyChip(m, { buyerId: b.id, chipId: chip.id, idempotencyKey: `crowd-${i}`, platformFeeBps: FEE_BPS }));
      expect(['bought', 'sold_out', 'insufficient_credits']).toContain(result.kind);
      return { buyerId: b.id, via: 'function', bought: result.kind === 'bought' };
    });
    const results = await Promise.all(attempts);
    const elapsedMs = performance.now() - started;
    console.log(`200 concurrent buyers: ${Math.round(elapsedMs)} ms (${results.filter((r) => r.via === 'http' && r.bought).length} of the 10 sales through POST /v1/commands)`);

    const sales = await ds.query(`SELECT t.id, t.buyer_id, t.price_credits, t.platform_fee_credits, e.edition_number
      FROM transactions t JOIN editions e ON e.purchase_id = t.id WHERE t.chip_id = $1 ORDER BY e.edition_number`, [chip.id]) as
      { id: string; buyer_id: string; price_credits: number; platform_fee_credits: number; edition_number: number }[];
    expect(sales).toHaveLength(10);
    expect(sales.map((s) => s.edition_number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(new Set(sales.map((s) => s.buyer_id)).size).toBe(10);
    expect(results.filter((r) => r.bought).map((r) => r.buyerId).sort()).toEqual(sales.map((s) => s.buyer_id).sort());

    // Every buyer paid the price once or nothing; nobody below zero; those with 20 credits never bought.
    const after = await balances(ds, [...ids, ...(await designerIds())]);
    const winners = new Set(sales.map((s) => s.buyer_id));
    for (const [i, b] of buyers.entries()) {
      expect(after.get(b.id)).toBe(before.get(b.id)! - (winners.has(b.id) ? price : 0));
      if (i % 9 === 0) expect(winners.has(b.id)).toBe(false);
    }
    // Σ buyer debits = Σ payouts + fees, and payouts per sale = price − fee (fee 4, Nova 29, Kenji 14).
    const debits = ids.reduce((s, id) => s + (before.get(id)! - after.get(id)!), 0);
    const [{ payouts, fees }] = await ds.query(`SELECT
        (SELECT SUM(p.amount_credits)::int FROM royalty_payouts p JOIN transactions t ON t.id = p.transaction_id WHERE t.chip_id = $1) AS payouts,
        (SELECT SUM(t.platform_fee_credits)::int FROM transactions t WHERE t.chip_id = $1) AS fees`, [chip.id]);
    expect(debits).toBe(10 * price);
    expect(payouts + fees).toBe(debits);
    expect(fees).toBe(10 * 4);
    const [nova, kenji] = await designerIds();
    expect(after.get(nova!)! - before.get(nova!)!).toBe(10 * 29);
    expect(after.get(kenji!)! - before.get(kenji!)!).toBe(10 * 14);
    await expectMoneyInvariants(ds);
    expect(elapsedMs).toBeLessThan(60_000);
  });

  it('never deadlocks when designers collect their own collaborations while clients buy them', { timeout: 60_000 }, async () => {
    const chip = await publishChip(t, 'nova', { name: 'Mirror Koi', priceCredits: 20, editionSize: null, tags: ['fish'], collaborators: [{ designer: 'kenji', shareBps: 5_000 }] });
    await answerCollaboration(t, 'kenji', chip.id, true);
    const clients = await createClients(ds, 'collector', 40, () => 1_000);
    const [nova, kenji] = await designerIds();
    await ds.transaction((m) => postTransfer(m, [{ systemAccount: 'mint', amount: -2_000 }, { userId: nova!, amount: 1_000 }, { userId: kenji!, amount: 1_000 }], 'top_up'));
    // Each designer buys (locking their wallet) while others' sales pay them (a foreign-key check on that wallet).
    const buyers = [...clients.map((c) => c.id), ...Array.from({ length: 20 }, (_, i) => (i % 2 ? nova! : kenji!))];
    const results = await Promise.allSettled(buyers.map((buyerId, i) =>
      ds.transaction((m) => buyChip(m, { buyerId, chipId: chip.id, idempotencyKey: `mirror-${i}`, platformFeeBps: FEE_BPS }))));
    expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    expect(results.every((r) => r.status === 'fulfilled' && r.value.kind === 'bought')).toBe(true);
    await expectMoneyInvariants(ds);
  });

  it('charges once for one purchase retried 5 times at once (same idempotency key, and same command id over HTTP)', async () => {
    const [fn, http] = await createClients(ds, 'retry', 2, () => 1_000);
    const crane = (await ds.query(`SELECT id FROM chips WHERE name = 'Paper Crane'`))[0].id as string;

    const direct = await Promise.all(Array.from({ length: 5 }, () =>
      ds.transaction((m) => buyChip(m, { buyerId: fn!.id, chipId: crane, idempotencyKey: 'one-key', platformFeeBps: FEE_BPS }))));
    expect(direct.every((r) => r.kind === 'bought')).toBe(true);
    expect(new Set(direct.map((r) => (r.kind === 'bought' ? r.sale.purchaseId : null))).size).toBe(1);

    const c = conversation(t.app, tokenOf(http!));
    await c.say('buy paper crane');
    const yeses = await Promise.all(Array.from({ length: 5 }, () => c.say('yes', { commandId: 'confirm-crane-1' })));
    expect(yeses.every((r) => r.outcome === 'ok' && r.reply.text === yeses[0]!.reply.text)).toBe(true);

    const after = await balances(ds, [fn!.id, http!.id]);
    expect(after.get(fn!.id)).toBe(1_000 - 15);
    expect(after.get(http!.id)).toBe(1_000 - 15);
    const [{ n }] = await ds.query(`SELECT COUNT(*)::int AS n FROM transactions WHERE buyer_id = ANY($1::uuid[])`, [[fn!.id, http!.id]]);
    expect(n).toBe(2);
    await expectMoneyInvariants(ds);
  });
});

async function designerIds(): Promise<string[]> {
  const rows = await ds.query(`SELECT id FROM users WHERE username = ANY($1) ORDER BY array_position($1, username)`, [['nova', 'kenji']]) as { id: string }[];
  return rows.map((r) => r.id);
}
