import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { User } from '../db/entities/index.js';
import { Errors } from '../errors.js';
import { balanceOf, pushNotifications, topUp, walletOf, writeNotifications } from '../marketplace/index.js';
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
    const done = await app.db.dataSource.transaction(async (manager) => {
      const user = await manager.findOneBy(User, { username });
      if (!user) throw Errors.NotFound(`user ${username}`);
      const transferId = await topUp(manager, user.id, credits);
      const notifications = await writeNotifications(manager, [{
        userId: user.id, kind: 'top_up', text: `${credits} credits were added to your wallet`, data: { credits, transferId },
      }]);
      return { transferId, balance: await balanceOf(manager, user.id), notifications };
    });
    await pushNotifications({ db: app.db.dataSource, pubsub: app.pubsub, log: request.log }, done.notifications);
    return { username, credits, balance: done.balance, transferId: done.transferId };
  });
}
