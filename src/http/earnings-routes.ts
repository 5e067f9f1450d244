import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { earningsOf, PERIODS } from '../marketplace/index.js';
import { principalOf } from './auth-plugin.js';

export const EarningsQuerystring = Type.Object({
  period: Type.Union(PERIODS.map((p) => Type.Literal(p)), { default: 'all_time' }),
}, { additionalProperties: false });

const Part = Type.Object({
  credits: Type.Integer(),
  sales: Type.Integer(),
  chips: Type.Array(Type.Object({ chipId: Type.String(), name: Type.String(), credits: Type.Integer(), sales: Type.Integer() })),
});

export const EarningsResponse = Type.Object({
  period: Type.String(),
  from: Type.Union([Type.String(), Type.Null()]),
  to: Type.String(),
  total: Type.Integer(),
  ownChips: Part,
  collaborations: Part,
});

/** `GET /v1/designer/earnings?period=`: the signed-in designer's royalties, own chips and collaborations apart (designers only). */
export async function earningsRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: Static<typeof EarningsQuerystring>; Reply: Static<typeof EarningsResponse> }>('/v1/designer/earnings', {
    preHandler: app.requireRole('designer'),
    schema: { querystring: EarningsQuerystring, response: { 200: EarningsResponse } },
  }, async (request) => {
    const earnings = await earningsOf(app.db.dataSource.manager, principalOf(request).userId, request.query.period);
    const part = (p: typeof earnings.ownChips) => ({ credits: p.credits, sales: p.sales, chips: [...p.chips] });
    return { ...earnings, ownChips: part(earnings.ownChips), collaborations: part(earnings.collaborations) };
  });
}
