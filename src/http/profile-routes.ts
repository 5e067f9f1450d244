import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Errors } from '../errors.js';
import { chipProfile, designerProfile } from '../marketplace/index.js';

const Share = Type.Object({ designerId: Type.String(), name: Type.String(), shareBps: Type.Integer() });

export const ChipProfileResponse = Type.Object({
  id: Type.String(),
  name: Type.String(),
  tokenId: Type.String(),
  metadataHash: Type.String(),
  designer: Type.Object({ id: Type.String(), name: Type.String() }),
  priceCredits: Type.Integer(),
  editionSize: Type.Union([Type.Integer(), Type.Null()]),
  editionsSold: Type.Integer(),
  /** null = open edition. */
  editionsLeft: Type.Union([Type.Integer(), Type.Null()]),
  isSoldOut: Type.Boolean(),
  tags: Type.Array(Type.String()),
  mediaUrl: Type.Union([Type.String(), Type.Null()]),
  publishedAt: Type.String(),
  /** The designers paid for each sale and their shares (sum 10 000). */
  shares: Type.Array(Share),
});

export const DesignerProfileResponse = Type.Object({
  id: Type.String(),
  name: Type.String(),
  bio: Type.String(),
  portfolioUrls: Type.Array(Type.String()),
  rating: Type.Object({ average: Type.Union([Type.Number(), Type.Null()]), count: Type.Integer() }),
  subscribers: Type.Integer(),
  chips: Type.Array(Type.Object({
    id: Type.String(), name: Type.String(), priceCredits: Type.Integer(),
    editionsLeft: Type.Union([Type.Integer(), Type.Null()]), isSoldOut: Type.Boolean(), isOwn: Type.Boolean(),
  })),
});

const ChipParams = Type.Object({ chipId: Type.String({ format: 'uuid' }) });
const DesignerParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 80 }) });

/** `GET /v1/chips/:chipId` and `GET /v1/designers/:name`: public profiles, readable without signing in. */
export async function profileRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Params: Static<typeof ChipParams>; Reply: Static<typeof ChipProfileResponse> }>('/v1/chips/:chipId', {
    schema: { params: ChipParams, response: { 200: ChipProfileResponse } },
  }, async (request) => {
    const profile = await chipProfile(app.db.dataSource.manager, request.params.chipId);
    if (!profile) throw Errors.NotFound('chip');
    return { ...profile, tags: [...profile.tags], shares: [...profile.shares] };
  });

  app.get<{ Params: Static<typeof DesignerParams>; Reply: Static<typeof DesignerProfileResponse> }>('/v1/designers/:name', {
    schema: { params: DesignerParams, response: { 200: DesignerProfileResponse } },
  }, async (request) => {
    const profile = await designerProfile(app.db.dataSource.manager, request.params.name);
    if (!profile) throw Errors.NotFound(`designer ${request.params.name}`);
    return { ...profile, portfolioUrls: [...profile.portfolioUrls], chips: [...profile.chips] };
  });
}
