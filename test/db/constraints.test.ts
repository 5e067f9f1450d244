import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntityManager } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { seedDemoCatalog } from '../../src/demo/seed.js';
import { postTransfer, topUp } from '../../src/marketplace/index.js';

/** The database itself rejects bad rows, whatever the code above it does. */
describe('database constraints', () => {
  let t: TestDatabase;
  let ids: Record<string, string>;
  beforeAll(async () => {
    t = await createTestDatabase();
    await seedDemoCatalog(t.db.dataSource, { activity: false });
    const rows: { username: string; id: string }[] = await t.db.dataSource.query('SELECT username, id FROM users');
    ids = Object.fromEntries(rows.map((r) => [r.username, r.id]));
    const chips: { name: string; id: string }[] = await t.db.dataSource.query('SELECT name, id FROM chips');
    for (const c of chips) ids[c.name] = c.id;
  });
  afterAll(async () => { await t?.close(); });

  const inTx = (fn: (m: EntityManager) => Promise<unknown>) => t.db.dataSource.transaction(fn);
  const newChip = (m: EntityManager, price: number) => m.query(
    `INSERT INTO chips (name, token_id, metadata_hash, designer_id, price_credits, edition_size, tags) VALUES ($1, $2, $3, $4, $5, 10, '{}') RETURNING id`,
    ['Test Chip', `t-${randomUUID()}`, 'a'.repeat(64), ids.nova, price],
  ).then((r: { id: string }[]) => r[0]!.id);

  it('rejects a negative price', async () => {
    await expect(inTx((m) => newChip(m, -5))).rejects.toThrow(/chips_price_check/);
  });

  it('rejects collaborator shares that do not sum to 10 000 (checked at commit)', async () => {
    await expect(inTx(async (m) => {
      const chip = await newChip(m, 10);
      await m.query('INSERT INTO chip_collaborators (chip_id, designer_id, share_bps) VALUES ($1, $2, 6000), ($1, $3, 3000)', [chip, ids.nova, ids.kenji]);
    })).rejects.toThrow(/sum to 9000 basis points/);
    await expect(inTx((m) => newChip(m, 10))).rejects.toThrow(/sum to 0 basis points/);
  });

  it('accepts a chip whose shares sum to 10 000', async () => {
    await inTx(async (m) => {
      const chip = await newChip(m, 10);
      await m.query('INSERT INTO chip_collaborators (chip_id, designer_id, share_bps) VALUES ($1, $2, 6000), ($1, $3, 4000)', [chip, ids.nova, ids.kenji]);
    });
  });

  it('rejects a duplicate subscription', async () => {
    // alex is already subscribed to Aria Chen by the seed
    await expect(t.db.dataSource.query('INSERT INTO subscriptions (client_id, designer_id) VALUES ($1, $2)', [ids.alex, ids.aria]))
      .rejects.toThrow(/subscriptions_client_designer_key/);
  });

  it('rejects a rating of 6 (and 0), accepts 5', async () => {
    const review = (rating: number, client: string) => t.db.dataSource.query('INSERT INTO reviews (client_id, designer_id, rating) VALUES ($1, $2, $3)', [client, ids.nova, rating]);
    await expect(review(6, ids.alex)).rejects.toThrow(/reviews_rating_check/);
    await expect(review(0, ids.alex)).rejects.toThrow(/reviews_rating_check/);
    await review(5, ids.alex);
    await expect(review(4, ids.alex)).rejects.toThrow(/reviews_client_designer_key/);
  });

  it('rejects a designer display name differing only in case', async () => {
    await expect(inTx(async (m) => {
      const [u] = await m.query(`INSERT INTO users (username, email, password_hash, role) VALUES ('nova2', 'n2@x.invalid', 'x', 'designer') RETURNING id`);
      await m.query(`INSERT INTO designer_profiles (user_id, display_name) VALUES ($1, 'NOVA')`, [u.id]);
    })).rejects.toThrow(/designer_profiles_display_name_lower_key/);
  });

  it('rejects an unknown role and a duplicate email', async () => {
    await expect(t.db.dataSource.query(`INSERT INTO users (username, email, password_hash, role) VALUES ('x1', 'x1@x.invalid', 'x', 'root')`)).rejects.toThrow(/users_role_check/);
    await expect(t.db.dataSource.query(`INSERT INTO users (username, email, password_hash) VALUES ('x2', 'alex@demo.holomesh.invalid', 'x')`)).rejects.toThrow(/users_email_key/);
  });

  it('rejects an unbalanced ledger transfer (checked at commit)', async () => {
    await expect(inTx((m) => m.query(`INSERT INTO ledger_entries (transfer_id, user_id, amount, reason) VALUES ($1, $2, 50, 'gift')`, [randomUUID(), ids.sam])))
      .rejects.toThrow(/does not balance/);
    await expect(inTx((m) => m.query(`INSERT INTO ledger_entries (transfer_id, user_id, system_account, amount, reason) VALUES ($1, $2, 'mint', 5, 'x')`, [randomUUID(), ids.sam])))
      .rejects.toThrow(/ledger_entries_account_check/);
  });

  it('refuses an unbalanced, fractional or negative money movement before writing anything (HM_ERR_MARKET_MONEY_INVALID)', async () => {
    const before = Number((await t.db.dataSource.query('SELECT COUNT(*) AS n FROM ledger_entries'))[0].n);
    const refused = expect.objectContaining({ code: 'HM_ERR_MARKET_MONEY_INVALID', statusCode: 500 });
    await expect(inTx((m) => postTransfer(m, [{ systemAccount: 'mint', amount: -50 }, { userId: ids.sam, amount: 49 }], 'gift'))).rejects.toThrow(refused);
    await expect(inTx((m) => postTransfer(m, [{ systemAccount: 'mint', amount: -0.5 }, { userId: ids.sam, amount: 0.5 }], 'gift'))).rejects.toThrow(refused);
    await expect(inTx((m) => topUp(m, ids.sam, -5))).rejects.toThrow(refused);
    expect(Number((await t.db.dataSource.query('SELECT COUNT(*) AS n FROM ledger_entries'))[0].n)).toBe(before);
  });

  it('rejects a sale whose payouts do not sum to price minus fee, and overselling an edition', async () => {
    await expect(inTx(async (m) => {
      const [sale] = await m.query(`INSERT INTO transactions (buyer_id, chip_id, price_credits, platform_fee_credits, idempotency_key) VALUES ($1, $2, 25, 2, 'k1') RETURNING id`, [ids.alex, ids['Neon Dragon']]);
      await m.query('INSERT INTO royalty_payouts (transaction_id, designer_id, amount_credits, share_bps) VALUES ($1, $2, 22, 10000)', [sale.id, ids.nova]);
    })).rejects.toThrow(/sum to 22 credits, not 23/);
    await expect(t.db.dataSource.query(`UPDATE chips SET editions_sold = 11 WHERE id = $1`, [ids['Quantum Koi']])).rejects.toThrow(/chips_editions_sold_check/);
  });

  it('rejects a voice command with an unknown outcome', async () => {
    await expect(t.db.dataSource.query(`INSERT INTO voice_commands (session_id, source, transcript, engine, outcome, latency_ms) VALUES ('s', 'text', 'hi', 'text', 'maybe', 1)`))
      .rejects.toThrow(/voice_commands_outcome_check/);
  });
});
