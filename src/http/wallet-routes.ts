import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { topUpUser, walletOf } from '../marketplace/index.js';
import { afterCommit } from './after-commit.js';
import { principalOf } from './auth-plugin.js';

export const WalletQuerystring = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
}, { additionalProperties: false });

export const WalletResponse = Type.Object({
  balance: Type.Integer(),
  entries: Type.Array(Type.Object({
    id: Type.String(),
    amount: Type.Integer(),
    reason: Type.String(),
    transferId: Type.String(),
    transactionId: Type.Union([Type.String(), Type.Null()]),
    chipName: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String(),
  })),
});

export const TopUpBody = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 64 }),
  credits: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
}, { additionalProperties: false });

export const TopUpResponse = Type.Object({
  username: Type.String(),
  credits: Type.Integer(),
  balance: Type.Integer(),
  transferId: Type.String(),
});

/** `GET /v1/wallet` (own balance and latest ledger entries) and `POST /v1/wallet/top-up` (admins mint credits). */
export async function walletRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: Static<typeof WalletQuerystring>; Reply: Static<typeof WalletResponse> }>('/v1/wallet', {
    preHandler: app.requireAuth,
    schema: { querystring: WalletQuerystring, response: { 200: WalletResponse } },
  }, async (request) => {
    const view = await walletOf(app.db.dataSource.manager, principalOf(request).userId, request.query.limit);
    return { balance: view.balance, entries: [...view.entries] };
  });

  app.post<{ Body: Static<typeof TopUpBody>; Reply: Static<typeof TopUpResponse> }>('/v1/wallet/top-up', {
    preHandler: app.requireRole('admin'),
    bodyLimit: 1024,
    schema: { body: TopUpBody, response: { 200: TopUpResponse } },
  }, async (request) => {
    const { username, credits } = request.body;
    const done = await app.db.dataSource.transaction((manager) => topUpUser(manager, username, credits));
    await afterCommit(app, request.log, { notifications: done.notifications });
    return { username, credits, balance: done.balance, transferId: done.transferId };
  });
}
