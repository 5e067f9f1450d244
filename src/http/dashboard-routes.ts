import type { FastifyInstance } from 'fastify';
import type { EntityManager } from 'typeorm';
import { Type, type Static } from '@sinclair/typebox';
import { DesignerProfile } from '../db/entities/index.js';
import { Errors } from '../errors.js';
import { principalOf } from './auth-plugin.js';

const DAY_MS = 86_400_000;
/** How many best sellers the dashboard lists. */
export const TOP_CHIPS = 5;

export const DashboardQuerystring = Type.Object({
  /** Whole UTC days ending today (today included). */
  days: Type.Integer({ minimum: 1, maximum: 366, default: 30 }),
}, { additionalProperties: false });

const DaySales = Type.Object({
  /** UTC day, `YYYY-MM-DD`. */
  date: Type.String(),
  units: Type.Integer(),
  /** The designer's royalty payouts that day, in credits. */
  revenue: Type.Integer(),
  newSubscribers: Type.Integer(),
});

export const DashboardResponse = Type.Object({
  designer: Type.Object({ id: Type.String(), displayName: Type.String() }),
  days: Type.Integer(),
  /** First instant counted (UTC midnight) and the end of today (exclusive). */
  from: Type.String(),
  to: Type.String(),
  /** One entry per day, oldest first, days without sales included. */
  sales: Type.Array(DaySales),
  totals: Type.Object({ units: Type.Integer(), revenue: Type.Integer(), newSubscribers: Type.Integer() }),
  topChips: Type.Array(Type.Object({ chipId: Type.String(), name: Type.String(), units: Type.Integer(), revenue: Type.Integer() })),
  /** Every current subscriber, whenever they subscribed. */
  subscribers: Type.Integer(),
});
export type DashboardResponse = Static<typeof DashboardResponse>;

/** `YYYY-MM-DD` of a UTC instant. */
function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/**
 * A designer's dashboard over the last `days` UTC days, from the real tables: units and royalty
 * revenue per day (as the spoken sales summary counts them: one unit per payout line), best
 * sellers, and subscriptions started.
 */
export async function designerDashboard(manager: EntityManager, designerId: string, days: number, now: Date = new Date()): Promise<Omit<DashboardResponse, 'designer'>> {
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + DAY_MS);
  const from = new Date(to.getTime() - days * DAY_MS);
  const range = [designerId, from, to];

  const salesRows = await manager.query(
    `SELECT to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, COUNT(*)::int AS units, COALESCE(SUM(p.amount_credits), 0)::int AS revenue
       FROM royalty_payouts p JOIN transactions t ON t.id = p.transaction_id
      WHERE p.designer_id = $1 AND t.created_at >= $2 AND t.created_at < $3
      GROUP BY 1`, range) as { day: string; units: number; revenue: number }[];
  const subscriberRows = await manager.query(
    `SELECT to_char(s.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, COUNT(*)::int AS n
       FROM subscriptions s
      WHERE s.designer_id = $1 AND s.created_at >= $2 AND s.created_at < $3
      GROUP BY 1`, range) as { day: string; n: number }[];
  const topRows = await manager.query(
    `SELECT c.id AS "chipId", c.name, COUNT(*)::int AS units, SUM(p.amount_credits)::int AS revenue
       FROM royalty_payouts p JOIN transactions t ON t.id = p.transaction_id JOIN chips c ON c.id = t.chip_id
      WHERE p.designer_id = $1 AND t.created_at >= $2 AND t.created_at < $3
      GROUP BY c.id, c.name ORDER BY units DESC, revenue DESC, c.name ASC LIMIT ${TOP_CHIPS}`, range) as { chipId: string; name: string; units: number; revenue: number }[];
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
    days,
    from: from.toISOString(),
    to: to.toISOString(),
    sales,
    totals,
    topChips: topRows.map((r) => ({ chipId: r.chipId, name: r.name, units: Number(r.units), revenue: Number(r.revenue) })),
    subscribers: Number(all.n),
  };
}

/** `GET /v1/designer/dashboard`: the signed-in designer's own figures (designers only). */
export async function dashboardRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: Static<typeof DashboardQuerystring>; Reply: DashboardResponse }>('/v1/designer/dashboard', {
    preHandler: app.requireRole('designer'),
    schema: { querystring: DashboardQuerystring, response: { 200: DashboardResponse } },
  }, async (request) => {
    const designerId = principalOf(request).userId;
    const manager = app.db.dataSource.manager;
    const profile = await manager.findOneBy(DesignerProfile, { userId: designerId });
    if (!profile) throw Errors.NotFound('your designer profile');
    const figures = await designerDashboard(manager, designerId, request.query.days);
    return { designer: { id: designerId, displayName: profile.displayName }, ...figures };
  });
}
