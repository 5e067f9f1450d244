import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Errors } from '../errors.js';
import { answerInvitation, listInvitations, publishRequestedChip } from '../marketplace/index.js';
import { afterCommit } from './after-commit.js';
import { principalOf } from './auth-plugin.js';

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

export const InvitationsResponse = Type.Object({
  invitations: Type.Array(Type.Object({
    chipId: Type.String(), chipName: Type.String(), publisher: Type.Object({ id: Type.String(), name: Type.String() }),
    shareBps: Type.Integer(), priceCredits: Type.Integer(), publishedAt: Type.String(),
  })),
});

const ChipParams = Type.Object({ chipId: Type.String({ format: 'uuid' }) });
const CollaborationBody = Type.Object({ accept: Type.Boolean() }, { additionalProperties: false });
const CollaborationResponse = Type.Object({ chipId: Type.String(), chipName: Type.String(), accepted: Type.Boolean() });

/** Small JSON bodies only: a chip's metadata, never its media. */
const BODY_LIMIT = 16 * 1024;

/**
 * `POST /v1/chips`: a designer publishes a chip. `GET /v1/collaborations`: the caller's pending
 * invitations; `POST /v1/chips/:chipId/collaboration {accept}`: accept or decline being listed.
 */
export async function chipRoutes(app: FastifyInstance): Promise<void> {
  app.post<{ Body: Static<typeof PublishChipBody>; Reply: Static<typeof ChipResponse> }>('/v1/chips', {
    preHandler: app.requirePermission('chip:publish'),
    bodyLimit: BODY_LIMIT,
    schema: { body: PublishChipBody, response: { 201: ChipResponse } },
  }, async (request, reply) => {
    const body = request.body;
    const result = await app.db.dataSource.transaction((manager) => publishRequestedChip(manager, {
      designerId: principalOf(request).userId, name: body.name, priceCredits: body.priceCredits, editionSize: body.editionSize,
      tags: body.tags, mediaUrl: body.mediaUrl ?? null, collaborators: body.collaborators ?? [],
    }));
    // Lists everywhere learn the name, subscribers hear about it, auto-buys start.
    await afterCommit(app, request.log, { catalogChanged: true, notifications: result.notifications, outboxQueued: true });
    const chip = result.chip;
    return reply.status(201).send({
      id: chip.id, tokenId: chip.tokenId, name: chip.name, designer: { id: chip.designerId, name: chip.designerName },
      priceCredits: chip.priceCredits, editionSize: chip.editionSize, editionsSold: 0, tags: [...chip.tags], mediaUrl: chip.mediaUrl,
      metadataHash: chip.metadataHash, publishedAt: chip.publishedAt, shares: [...chip.shares], autoBuysQueued: result.autoBuysQueued,
    });
  });

  app.get<{ Reply: Static<typeof InvitationsResponse> }>('/v1/collaborations', {
    preHandler: app.requirePermission('chip:collaborate'),
    schema: { response: { 200: InvitationsResponse } },
  }, async (request) => {
    const invitations = await listInvitations(app.db.dataSource.manager, principalOf(request).userId);
    return {
      invitations: invitations.map((i) => ({
        chipId: i.chipId, chipName: i.chipName, publisher: { id: i.publisherId, name: i.publisherName },
        shareBps: i.shareBps, priceCredits: i.priceCredits, publishedAt: i.publishedAt,
      })),
    };
  });

  app.post<{ Params: Static<typeof ChipParams>; Body: Static<typeof CollaborationBody>; Reply: Static<typeof CollaborationResponse> }>('/v1/chips/:chipId/collaboration', {
    preHandler: app.requirePermission('chip:collaborate'),
    bodyLimit: BODY_LIMIT,
    schema: { params: ChipParams, body: CollaborationBody, response: { 200: CollaborationResponse } },
  }, async (request) => {
    const { chipId } = request.params;
    const answer = await app.db.dataSource.transaction((manager) => answerInvitation(manager, principalOf(request).userId, chipId, request.body.accept));
    if (answer.kind === 'not_invited') throw Errors.NotFound('collaboration invitation');
    if (answer.kind === 'already_accepted') throw Errors.Conflict('this collaboration was accepted: it cannot be declined');
    // The chip now shows (or no longer may show) under this designer's name.
    await afterCommit(app, request.log, { catalogChanged: true, notifications: answer.notifications });
    return { chipId, chipName: answer.chipName, accepted: answer.kind === 'accepted' };
  });
}
