import type { DataSource } from 'typeorm';
import { expect } from 'vitest';
import { postTransfer } from '../../src/marketplace/index.js';

/** Creates `count` client accounts `<prefix><i>` with `credits(i)` each, in ONE transaction (one balanced mint). */
export async function createClients(ds: DataSource, prefix: string, count: number, credits: (i: number) => number): Promise<{ id: string; username: string }[]> {
  return ds.transaction(async (m) => {
    const users = await m.query(
      `INSERT INTO users (username, email, password_hash, role)
       SELECT $1 || i, $1 || i || '@test.invalid', 'x', 'client' FROM generate_series(0, $2 - 1) AS i
       RETURNING id, username`,
      [prefix, count],
    ) as { id: string; username: string }[];
    const byIndex = users.sort((a, b) => Number(a.username.slice(prefix.length)) - Number(b.username.slice(prefix.length)));
    const postings = byIndex.map((u, i) => ({ userId: u.id, amount: credits(i) })).filter((p) => p.amount > 0);
    const total = postings.reduce((s, p) => s + p.amount, 0);
    if (total > 0) await postTransfer(m, [{ systemAccount: 'mint', amount: -total }, ...postings], 'top_up');
    return byIndex;
  });
}

export async function balances(ds: DataSource, ids: readonly string[]): Promise<Map<string, number>> {
  const rows = await ds.query(
    `SELECT u.id, COALESCE(SUM(e.amount), 0)::int AS b FROM users u LEFT JOIN ledger_entries e ON e.user_id = u.id
      WHERE u.id = ANY($1::uuid[]) GROUP BY u.id`, [ids]) as { id: string; b: number }[];
  return new Map(rows.map((r) => [r.id, r.b]));
}

/**
 * The money invariants over the whole database: every ledger transfer balances, no wallet is
 * negative, every sale's payouts are exactly price − fee, the ledger of every sale moves exactly
 * the price from the buyer to the payees and the fee account, and editions are numbered 1..n.
 */
export async function expectMoneyInvariants(ds: DataSource): Promise<void> {
  const q = (sql: string) => ds.query(sql) as Promise<Record<string, unknown>[]>;
  expect(await q(`SELECT transfer_id FROM ledger_entries GROUP BY transfer_id HAVING SUM(amount) <> 0`)).toEqual([]);
  expect(await q(`SELECT user_id FROM ledger_entries WHERE user_id IS NOT NULL GROUP BY user_id HAVING SUM(amount) < 0`)).toEqual([]);
  expect(await q(
    `SELECT t.id FROM transactions t LEFT JOIN royalty_payouts p ON p.transaction_id = t.id
      GROUP BY t.id HAVING COALESCE(SUM(p.amount_credits), 0) <> t.price_credits - t.platform_fee_credits`)).toEqual([]);
  expect(await q(
    `SELECT t.id FROM transactions t
      WHERE (SELECT COALESCE(SUM(-e.amount), 0) FROM ledger_entries e WHERE e.transaction_id = t.id AND e.user_id = t.buyer_id AND e.amount < 0) <> t.price_credits
         OR (SELECT COALESCE(SUM(e.amount), 0) FROM ledger_entries e WHERE e.transaction_id = t.id AND e.system_account = 'platform_fees') <> t.platform_fee_credits
         OR (SELECT COALESCE(SUM(e.amount), 0) FROM ledger_entries e WHERE e.transaction_id = t.id AND e.user_id IS NOT NULL AND e.amount > 0)
            <> (SELECT COALESCE(SUM(p.amount_credits), 0) FROM royalty_payouts p WHERE p.transaction_id = t.id)`)).toEqual([]);
  expect(await q(
    `SELECT c.id FROM chips c
      WHERE c.editions_sold <> (SELECT COUNT(*) FROM editions e WHERE e.chip_id = c.id)
         OR c.editions_sold <> COALESCE((SELECT MAX(edition_number) FROM editions e WHERE e.chip_id = c.id), 0)
         OR c.editions_sold <> (SELECT COUNT(*) FROM transactions t WHERE t.chip_id = c.id)`)).toEqual([]);
}

