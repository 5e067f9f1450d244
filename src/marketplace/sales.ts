import type { EntityManager } from 'typeorm';
import { periodRange, previousRange, type Period, type PeriodRange } from './periods.js';

export interface SalesFigures {
  readonly units: number;
  /** The designer's royalty payouts, in credits. */
  readonly revenue: number;
}

export interface SalesSummary extends SalesFigures {
  readonly period: Period;
  readonly from: string | null;
  readonly to: string;
  readonly topChip: { readonly name: string; readonly units: number; readonly revenue: number } | null;
  /** Revenue change against the previous period of the same length, whole percent; null when not comparable. */
  readonly changePercent: number | null;
  readonly previous: SalesFigures | null;
  readonly newSubscribers: number;
}

function rangeSql(alias: string, range: PeriodRange, params: unknown[]): string {
  params.push(range.to);
  let sql = `${alias}.created_at < $${params.length}`;
  if (range.from) {
    params.push(range.from);
    sql += ` AND ${alias}.created_at >= $${params.length}`;
  }
  return sql;
}

async function figures(manager: EntityManager, designerId: string, range: PeriodRange): Promise<SalesFigures> {
  const params: unknown[] = [designerId];
  const [row] = await manager.query(
    `SELECT COUNT(*)::int AS units, COALESCE(SUM(p.amount_credits), 0)::int AS revenue
       FROM royalty_payouts p JOIN transactions t ON t.id = p.transaction_id
      WHERE p.designer_id = $1 AND ${rangeSql('t', range, params)}`, params) as [{ units: number; revenue: number }];
  return { units: Number(row.units), revenue: Number(row.revenue) };
}

/** A designer's sales in a period (units, their payouts, best seller, trend, new subscribers). */
export async function salesSummary(manager: EntityManager, designerId: string, period: Period, now: Date = new Date()): Promise<SalesSummary> {
  const range = periodRange(period, now);
  const current = await figures(manager, designerId, range);
  const before = previousRange(range);
  const previous = before ? await figures(manager, designerId, before) : null;

  const topParams: unknown[] = [designerId];
  const [top] = await manager.query(
    `SELECT c.name, COUNT(*)::int AS units, SUM(p.amount_credits)::int AS revenue
       FROM royalty_payouts p JOIN transactions t ON t.id = p.transaction_id JOIN chips c ON c.id = t.chip_id
      WHERE p.designer_id = $1 AND ${rangeSql('t', range, topParams)}
      GROUP BY c.id, c.name ORDER BY units DESC, revenue DESC, c.name ASC LIMIT 1`, topParams) as { name: string; units: number; revenue: number }[];

  const subParams: unknown[] = [designerId];
  const [subs] = await manager.query(
    `SELECT COUNT(*)::int AS n FROM subscriptions s WHERE s.designer_id = $1 AND ${rangeSql('s', range, subParams)}`, subParams) as [{ n: number }];

  const changePercent = previous && previous.revenue > 0
    ? Math.round(((current.revenue - previous.revenue) / previous.revenue) * 100)
    : null;
  return {
    period,
    from: range.from?.toISOString() ?? null,
    to: range.to.toISOString(),
    ...current,
    topChip: top ? { name: top.name, units: Number(top.units), revenue: Number(top.revenue) } : null,
    changePercent,
    previous,
    newSubscribers: Number(subs.n),
  };
}

/** A designer's chips by editions sold (all time, their royalty payouts as revenue), best first. */
export async function bestSellers(manager: EntityManager, designerId: string, limit = 3): Promise<{ name: string; units: number; revenue: number }[]> {
  const rows = await manager.query(
    `SELECT c.name, COUNT(*)::int AS units, SUM(p.amount_credits)::int AS revenue
       FROM royalty_payouts p JOIN transactions t ON t.id = p.transaction_id JOIN chips c ON c.id = t.chip_id
      WHERE p.designer_id = $1
      GROUP BY c.id, c.name ORDER BY units DESC, revenue DESC, c.name ASC LIMIT $2`, [designerId, limit]) as { name: string; units: number; revenue: number }[];
  return rows.map((r) => ({ name: r.name, units: Number(r.units), revenue: Number(r.revenue) }));
}
