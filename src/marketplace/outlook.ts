import type { EntityManager } from 'typeorm';
import { balanceOf } from './ledger.js';

/** What buying a chip would meet, told before the purchase is read back (no locks: buyChip checks again). */
export interface PurchaseOutlook {
  readonly balance: number;
  /** Edition numbers of this chip the buyer already owns, lowest first. */
  readonly ownedEditions: readonly number[];
}

export async function purchaseOutlook(manager: EntityManager, buyerId: string, chipId: string): Promise<PurchaseOutlook> {
  const balance = await balanceOf(manager, buyerId);
  const owned = await manager.query('SELECT edition_number AS n FROM editions WHERE chip_id = $1 AND owner_id = $2 ORDER BY edition_number', [chipId, buyerId]) as { n: number }[];
  return { balance, ownedEditions: owned.map((r) => Number(r.n)) };
}
