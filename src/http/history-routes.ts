import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { User } from '../db/entities/index.js';
import { Errors } from '../errors.js';
import { listCommands } from '../marketplace/index.js';
import { principalOf } from './auth-plugin.js';

const Outcome = Type.Union([Type.Literal('ok'), Type.Literal('rejected'), Type.Literal('not_understood'), Type.Literal('error')]);

export const HistoryQuerystring = Type.Object({
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
  intent: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  outcome: Type.Optional(Outcome),
  /** Words to find in the transcript. */
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  /** Admins only: another user's history, by username. */
  user: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
}, { additionalProperties: false });

const HistoryItem = Type.Object({
  id: Type.String(),
  commandId: Type.Union([Type.String(), Type.Null()]),
  sessionId: Type.String(),
  createdAt: Type.String(),
  source: Type.Union([Type.Literal('voice'), Type.Literal('text')]),
  transcript: Type.String(),
  asrConfidence: Type.Union([Type.Number(), Type.Null()]),
  engine: Type.String(),
  intent: Type.Union([Type.String(), Type.Null()]),
  slots: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
  outcome: Outcome,
  replyText: Type.String(),
  latencyMs: Type.Integer(),
});

export const HistoryResponse = Type.Object({
  items: Type.Array(HistoryItem),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

/** `GET /v1/history`: the caller's own commands, newest first, keyset-paginated. */
export async function historyRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: Static<typeof HistoryQuerystring>; Reply: Static<typeof HistoryResponse> }>('/v1/history', {
    preHandler: app.requireAuth,
    schema: { querystring: HistoryQuerystring, response: { 200: HistoryResponse } },
  }, async (request) => {
    const principal = principalOf(request);
    const query = request.query;
    let userId = principal.userId;
    if (query.user !== undefined && query.user !== principal.username) {
      if (principal.role !== 'admin') throw Errors.Forbidden("another user's history");
      const user = await app.db.dataSource.getRepository(User).findOneBy({ username: query.user });
      if (!user) throw Errors.NotFound(`user ${query.user}`);
      userId = user.id;
    }
    // A cursor this service did not make is refused (400) by listCommands, which decodes it.
    const from = query.from ? new Date(query.from) : undefined;
    const to = query.to ? new Date(query.to) : undefined;
    return listCommands(app.db.dataSource.manager, {
      userId, from, to, intent: query.intent, outcome: query.outcome, q: query.q, limit: query.limit, cursor: query.cursor,
    });
  });
}
