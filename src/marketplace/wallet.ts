import type { EntityManager } from 'typeorm';
import { User } from '../db/entities/index.js';
import { Errors } from '../errors.js';
import { balanceOf, topUp } from './ledger.js';
import { writeNotifications, type NotificationRef } from './notifications.js';

/** One line of a wallet statement. */
export interface WalletEntry {
  readonly id: string;
  /** Signed credits: positive credited the wallet, negative debited it. */
  readonly amount: number;
  readonly reason: string;
  readonly transferId: string;
  /** The sale behind the entry, if any. */
  readonly transactionId: string | null;
  readonly chipName: string | null;
  readonly createdAt: string;
}

export interface WalletView {
  readonly balance: number;
  /** Newest first. */
  readonly entries: readonly WalletEntry[];
}

/** A user's balance (the sum of their ledger rows) and their latest ledger entries. */
export async function walletOf(manager: EntityManager, userId: string, limit = 20): Promise<WalletView> {
  const rows = await manager.query(
    `SELECT e.id, e.amount, e.reason, e.transfer_id, e.transaction_id, c.name AS chip_name, e.created_at
       FROM ledger_entries e
       LEFT JOIN transactions t ON t.id = e.transaction_id
       LEFT JOIN chips c ON c.id = t.chip_id
      WHERE e.user_id = $1
      ORDER BY e.created_at DESC, e.id DESC
      LIMIT $2`,
    [userId, Math.max(1, Math.min(limit, 100))],
  ) as { id: string; amount: number; reason: string; transfer_id: string; transaction_id: string | null; chip_name: string | null; created_at: Date }[];
  return {
    balance: await balanceOf(manager, userId),
    entries: rows.map((r) => ({
      id: String(r.id), amount: Number(r.amount), reason: r.reason, transferId: r.transfer_id,
      transactionId: r.transaction_id, chipName: r.chip_name, createdAt: new Date(r.created_at).toISOString(),
    })),
  };
}

export interface TopUpResult {
  readonly transferId: string;
  /** The user's balance after the top-up. */
  readonly balance: number;
  /** The user's `top_up` notification, to push after commit. */
  readonly notifications: readonly NotificationRef[];
}

/** Mints credits into a user's wallet (by username) and tells them, inside the caller's transaction. */
export async function topUpUser(manager: EntityManager, username: string, credits: number): Promise<TopUpResult> {
  const user = await manager.findOneBy(User, { username });
  if (!user) throw Errors.NotFound(`user ${username}`);
  const transferId = await topUp(manager, user.id, credits);
  const notifications = await writeNotifications(manager, [{
    userId: user.id, kind: 'top_up', text: `${credits} credits were added to your wallet`, data: { credits, transferId },
  }]);
  return { transferId, balance: await balanceOf(manager, user.id), notifications };
}
