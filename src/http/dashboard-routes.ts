import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Errors } from '../errors.js';
import { designerDashboard } from '../marketplace/index.js';
import { principalOf } from './auth-plugin.js';

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

/** `GET /v1/designer/dashboard`: the signed-in designer's own figures (designers only). */
export async function dashboardRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: Static<typeof DashboardQuerystring>; Reply: DashboardResponse }>('/v1/designer/dashboard', {
    preHandler: app.requireRole('designer'),
    schema: { querystring: DashboardQuerystring, response: { 200: DashboardResponse } },
  }, async (request) => {
    const dashboard = await designerDashboard(app.db.dataSource.manager, principalOf(request).userId, request.query.days);
    if (!dashboard) throw Errors.NotFound('your designer profile');
    return { ...dashboard, sales: [...dashboard.sales], topChips: [...dashboard.topChips] };
  });
}
