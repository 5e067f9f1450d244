import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Errors } from '../errors.js';
import { publishChip, pushNotifications, resolveShares, type PublishResult } from '../marketplace/index.js';

export const PublishChipBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 120, pattern: '\\S' }),
  priceCredits: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
  /**
   * null = open edition. `const: null`, tried first, rather than `type: null`: fastify's validator
   * coerces types, and would quietly turn an edition size of 0 into null (an open edition).
   */
  editionSize: Type.Union([Type.Unsafe<null>({ const: null }), Type.Integer({ minimum: 1, maximum: 1_000_000 })]),
  tags: Type.Array(Type.String({ minLength: 1, maxLength: 40 }), { maxItems: 16 }),
  mediaUrl: Type.Optional(Type.String({ maxLength: 2048, pattern: '^https?://\\S+$' })),
  /** The other designers and their shares; the publisher gets the rest of 10 000 bps. */
  collaborators: Type.Optional(Type.Array(Type.Object({
    designer: Type.String({ minLength: 1, maxLength: 64 }),
    shareBps: Type.Integer({ minimum: 1, maximum: 9_999 }),
  }, { additionalProperties: false }), { maxItems: 16 })),
}, { additionalProperties: false });

export const ChipResponse = Type.Object({
  id: Type.String(),
  tokenId: Type.String(),
  name: Type.String(),
  designer: Type.Object({ id: Type.String(), name: Type.String() }),
  priceCredits: Type.Integer(),
  editionSize: Type.Union([Type.Integer(), Type.Null()]),
  editionsSold: Type.Integer(),
  tags: Type.Array(Type.String()),
  mediaUrl: Type.Union([Type.String(), Type.Null()]),
  metadataHash: Type.String(),
  publishedAt: Type.String(),
  shares: Type.Array(Type.Object({ designerId: Type.String(), shareBps: Type.Integer() })),
  /** Subscribers whose auto-buy will be tried (right after this answer, by the outbox worker). */
  autoBuysQueued: Type.Integer(),
});

/** Small JSON bodies only: a chip's metadata, never its media. */
const BODY_LIMIT = 16 * 1024;

/** `POST /v1/chips`: a designer publishes a chip. */
export async function chipRoutes(app: FastifyInstance): Promise<void> {
  app.post<{ Body: Static<typeof PublishChipBody>; Reply: Static<typeof ChipResponse> }>('/v1/chips', {
    preHandler: app.requirePermission('chip:publish'),
    bodyLimit: BODY_LIMIT,
    schema: { body: PublishChipBody, response: { 201: ChipResponse } },
  }, async (request, reply) => {
    const principal = request.principal!;
    const body = request.body;
    const result: PublishResult = await app.db.dataSource.transaction(async (manager) => {
      const shares = await resolveShares(manager, principal.userId, body.collaborators ?? []);
      if (shares.kind === 'invalid') throw Errors.ChipInvalid(shares.reason);
      const hasProfile = await manager.query('SELECT 1 FROM designer_profiles WHERE user_id = $1', [principal.userId]) as unknown[];
      if (hasProfile.length === 0) throw Errors.ChipInvalid('the publisher has no designer profile');
      return publishChip(manager, {
        designerId: principal.userId, name: body.name.trim(), priceCredits: body.priceCredits, editionSize: body.editionSize,
        tags: body.tags, mediaUrl: body.mediaUrl ?? null, shares: shares.shares,
      });
    });
    // After commit: lists everywhere learn the name, subscribers hear about it, auto-buys start.
    await Promise.all([
      app.catalogLists.invalidate().catch((err: unknown) => request.log.warn({ err }, 'catalog lists not invalidated')),
      pushNotifications({ db: app.db.dataSource, pubsub: app.pubsub, log: request.log }, result.notifications),
      app.outbox.nudge(),
    ]);
    const chip = result.chip;
    return reply.status(201).send({
      id: chip.id, tokenId: chip.tokenId, name: chip.name, designer: { id: chip.designerId, name: chip.designerName },
      priceCredits: chip.priceCredits, editionSize: chip.editionSize, editionsSold: 0, tags: [...chip.tags], mediaUrl: chip.mediaUrl,
      metadataHash: chip.metadataHash, publishedAt: chip.publishedAt, shares: [...chip.shares], autoBuysQueued: result.autoBuysQueued,
    });
  });
}
