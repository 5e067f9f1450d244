import type { EntityManager } from 'typeorm';
import { DesignerProfile } from '../db/entities/index.js';
import { periodRange, previousRange, type Period, type PeriodRange } from './periods.js';

/** A designer's sales are their royalty payout lines, one unit each, dated by the sale behind them. */
const PAYOUTS_WITH_SALE = 'royalty_payouts p JOIN transactions t ON t.id = p.transaction_id';

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

interface ChipSales {
  readonly chipId: string;
  readonly name: string;
  readonly units: number;
  readonly revenue: number;
}

/** A designer's chips by units sold in a range (all time without one), best first. */
async function topChips(manager: EntityManager, designerId: string, range: PeriodRange | null, limit: number): Promise<ChipSales[]> {
  const params: unknown[] = [designerId];
  const inRange = range ? `AND ${rangeSql('t', range, params)}` : '';
  params.push(limit);
  const rows = await manager.query(
    `SELECT c.id AS "chipId", c.name, COUNT(*)::int AS units, SUM(p.amount_credits)::int AS revenue
       FROM ${PAYOUTS_WITH_SALE} JOIN chips c ON c.id = t.chip_id
      WHERE p.designer_id = $1 ${inRange}
      GROUP BY c.id, c.name ORDER BY units DESC, revenue DESC, c.name ASC LIMIT $${params.length}`, params) as ChipSales[];
  return rows.map((r) => ({ chipId: r.chipId, name: r.name, units: Number(r.units), revenue: Number(r.revenue) }));
}

async function figures(manager: EntityManager, designerId: string, range: PeriodRange): Promise<SalesFigures> {
  const params: unknown[] = [designerId];
  const [row] = await manager.query(
    `SELECT COUNT(*)::int AS units, COALESCE(SUM(p.amount_credits), 0)::int AS revenue
       FROM ${PAYOUTS_WITH_SALE}
      WHERE p.designer_id = $1 AND ${rangeSql('t', range, params)}`, params) as [{ units: number; revenue: number }];
  return { units: Number(row.units), revenue: Number(row.revenue) };
}

/** A designer's sales in a period (units, their payouts, best seller, trend, new subscribers). */
export async function salesSummary(manager: EntityManager, designerId: string, period: Period, now: Date = new Date()): Promise<SalesSummary> {
  const range = periodRange(period, now);
  const current = await figures(manager, designerId, range);
  const before = previousRange(range);
  const previous = before ? await figures(manager, designerId, before) : null;

  const [top] = await topChips(manager, designerId, range, 1);

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
    topChip: top ? { name: top.name, units: top.units, revenue: top.revenue } : null,
    changePercent,
    previous,
    newSubscribers: Number(subs.n),
  };
}

/** A designer's chips by editions sold (all time, their royalty payouts as revenue), best first. */
export async function bestSellers(manager: EntityManager, designerId: string, limit = 3): Promise<{ name: string; units: number; revenue: number }[]> {
  const chips = await topChips(manager, designerId, null, limit);
  return chips.map((c) => ({ name: c.name, units: c.units, revenue: c.revenue }));
}

const DAY_MS = 86_400_000;
/** How many best sellers the dashboard lists. */
export const DASHBOARD_TOP_CHIPS = 5;

export interface DashboardDay extends SalesFigures {
  /** UTC day, `YYYY-MM-DD`. */
  readonly date: string;
  readonly newSubscribers: number;
}

export interface Dashboard {
  readonly designer: { readonly id: string; readonly displayName: string };
  readonly days: number;
  /** First instant counted (UTC midnight) and the end of today (exclusive). */
  readonly from: string;
  readonly to: string;
  /** One entry per day, oldest first, days without sales included. */
  readonly sales: readonly DashboardDay[];
  readonly totals: SalesFigures & { readonly newSubscribers: number };
  readonly topChips: readonly ChipSales[];
  /** Every current subscriber, whenever they subscribed. */
  readonly subscribers: number;
}

/** `YYYY-MM-DD` of a UTC instant. */
function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/**
 * A designer's dashboard over the last `days` UTC days (today included): units and royalty
 * revenue per day (as the spoken sales summary counts them), best sellers, and subscriptions
 * started. Null when the user has no designer profile.
 */
export async function designerDashboard(manager: EntityManager, designerId: string, days: number, now: Date = new Date()): Promise<Dashboard | null> {
  const profile = await manager.findOneBy(DesignerProfile, { userId: designerId });
  if (!profile) return null;
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + DAY_MS);
  const from = new Date(to.getTime() - days * DAY_MS);
  const range: PeriodRange = { from, to };

  const salesParams: unknown[] = [designerId];
  const salesRows = await manager.query(
    `SELECT to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, COUNT(*)::int AS units, COALESCE(SUM(p.amount_credits), 0)::int AS revenue
       FROM ${PAYOUTS_WITH_SALE}
      WHERE p.designer_id = $1 AND ${rangeSql('t', range, salesParams)}
      GROUP BY 1`, salesParams) as { day: string; units: number; revenue: number }[];
  const subParams: unknown[] = [designerId];
  const subscriberRows = await manager.query(
    `SELECT to_char(s.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, COUNT(*)::int AS n
       FROM subscriptions s
      WHERE s.designer_id = $1 AND ${rangeSql('s', range, subParams)}
      GROUP BY 1`, subParams) as { day: string; n: number }[];
  const [all] = await manager.query('SELECT COUNT(*)::int AS n FROM subscriptions WHERE designer_id = $1', [designerId]) as [{ n: number }];

  const salesByDay = new Map(salesRows.map((r) => [r.day, r]));
  const subsByDay = new Map(subscriberRows.map((r) => [r.day, Number(r.n)]));
  const sales = Array.from({ length: days }, (_, i) => {
    const date = utcDay(new Date(from.getTime() + i * DAY_MS));
    const row = salesByDay.get(date);
    return { date, units: Number(row?.units ?? 0), revenue: Number(row?.revenue ?? 0), newSubscribers: subsByDay.get(date) ?? 0 };
  });
  const totals = sales.reduce((t, d) => ({
    units: t.units + d.units, revenue: t.revenue + d.revenue, newSubscribers: t.newSubscribers + d.newSubscribers,
  }), { units: 0, revenue: 0, newSubscribers: 0 });
  return {
    designer: { id: designerId, displayName: profile.displayName },
    days,
    from: from.toISOString(),
    to: to.toISOString(),
    sales,
    totals,
    topChips: await topChips(manager, designerId, range, DASHBOARD_TOP_CHIPS),
    subscribers: Number(all.n),
  };
}
