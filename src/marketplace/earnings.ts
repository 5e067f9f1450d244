import type { EntityManager } from 'typeorm';
import { periodRange, type Period } from './periods.js';

export interface EarningsLine {
  readonly chipId: string;
  readonly name: string;
  readonly credits: number;
  /** Sales that paid this designer on this chip. */
  readonly sales: number;
}

export interface EarningsPart {
  readonly credits: number;
  readonly sales: number;
  /** Most credits first. */
  readonly chips: readonly EarningsLine[];
}

export interface Earnings {
  readonly period: Period;
  readonly from: string | null;
  readonly to: string;
  readonly total: number;
  /** Royalties from chips the designer published. */
  readonly ownChips: EarningsPart;
  /** Royalties as a collaborator on other designers' chips. */
  readonly collaborations: EarningsPart;
}

/**
 * A designer's royalty earnings in a period, read from the ledger (the credits that actually
 * reached their wallet for each sale), split into their own chips and their collaborations.
 */
export async function earningsOf(manager: EntityManager, designerId: string, period: Period, now: Date = new Date()): Promise<Earnings> {
  const range = periodRange(period, now);
  const params: unknown[] = [designerId, range.to];
  if (range.from) params.push(range.from);
  // A designer buying a chip they are paid on has two rows in that sale: the debit is not earnings.
  const rows = await manager.query(
    `SELECT c.id, c.name, (c.designer_id = $1) AS is_own, SUM(l.amount)::int AS credits, COUNT(DISTINCT l.transaction_id)::int AS sales
       FROM ledger_entries l JOIN transactions t ON t.id = l.transaction_id JOIN chips c ON c.id = t.chip_id
      WHERE l.user_id = $1 AND l.amount > 0 AND l.created_at < $2 ${range.from ? 'AND l.created_at >= $3' : ''}
      GROUP BY c.id, c.name, c.designer_id
      ORDER BY credits DESC, c.name, c.id`, params) as { id: string; name: string; is_own: boolean; credits: number; sales: number }[];
  const part = (own: boolean): EarningsPart => {
    const chips = rows.filter((r) => r.is_own === own).map((r) => ({ chipId: r.id, name: r.name, credits: Number(r.credits), sales: Number(r.sales) }));
    return { credits: chips.reduce((s, c) => s + c.credits, 0), sales: chips.reduce((s, c) => s + c.sales, 0), chips };
  };
  const ownChips = part(true);
  const collaborations = part(false);
  return {
    period, from: range.from?.toISOString() ?? null, to: range.to.toISOString(),
    total: ownChips.credits + collaborations.credits, ownChips, collaborations,
  };
}
