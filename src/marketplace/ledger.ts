import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { LedgerEntry, type SystemAccount } from '../db/entities/index.js';
import { preparedQuery, type PreparedStatement } from '../db/prepared.js';
import { Errors } from '../errors.js';

/** One side of a transfer: a user's wallet or a system account, and a signed amount in credits. */
export type Posting =
  | { readonly userId: string; readonly amount: number }
  | { readonly systemAccount: SystemAccount; readonly amount: number };

/**
 * Writes one balanced transfer (amounts sum to zero) inside the caller's transaction.
 * The database re-checks the balance at commit.
 * @throws HM_ERR_MARKET_MONEY_INVALID for amounts that do not sum to zero or are not whole credits.
 */
export async function postTransfer(
  manager: EntityManager,
  postings: readonly Posting[],
  reason: string,
  transactionId: string | null = null,
): Promise<string> {
  const sum = postings.reduce((s, p) => s + p.amount, 0);
  if (sum !== 0 || !postings.every((p) => Number.isSafeInteger(p.amount))) {
    throw Errors.MoneyInvalid(`unbalanced or non-integer transfer (${reason}): sum ${sum}`);
  }
  const transferId = randomUUID();
  const rows = postings
    .filter((p) => p.amount !== 0)
    .map((p) => manager.create(LedgerEntry, {
      transferId,
      userId: 'userId' in p ? p.userId : null,
      systemAccount: 'systemAccount' in p ? p.systemAccount : null,
      amount: p.amount,
      reason,
      transactionId,
    }));
  await manager.insert(LedgerEntry, rows);
  return transferId;
}

/** Asked by every balance question: prepared once per connection (see src/db/prepared.ts). */
const BALANCE: PreparedStatement = {
  name: 'hm_balance_of',
  text: 'SELECT COALESCE(SUM(amount), 0) AS balance FROM ledger_entries WHERE user_id = $1',
};

/** A user's balance: the sum of their ledger rows (never a stored number). */
export async function balanceOf(manager: EntityManager, userId: string): Promise<number> {
  const [row] = await preparedQuery<{ balance: string }>(manager, BALANCE, [userId]);
  return Number(row?.balance ?? 0);
}

/** Credits minted into a wallet (demo and admin top-ups). */
export function topUp(manager: EntityManager, userId: string, credits: number): Promise<string> {
  if (!Number.isSafeInteger(credits) || credits <= 0) throw Errors.MoneyInvalid('a top-up is a positive whole number of credits');
  return postTransfer(manager, [{ systemAccount: 'mint', amount: -credits }, { userId, amount: credits }], 'top_up');
}
