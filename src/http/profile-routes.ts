import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Errors } from '../errors.js';
import { chipProfile, designerProfile, verifyChip } from '../marketplace/index.js';
import { principalOf } from './auth-plugin.js';

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

const Person = Type.Union([
  Type.Object({ kind: Type.Literal('you') }),
  Type.Object({ kind: Type.Literal('user'), username: Type.String() }),
  Type.Object({ kind: Type.Literal('collector') }),
]);

export const VerificationResponse = Type.Object({
  chip: Type.Object({ id: Type.String(), name: Type.String(), tokenId: Type.String(), metadataHash: Type.String(), editionSize: Type.Union([Type.Integer(), Type.Null()]) }),
  isAuthentic: Type.Boolean(),
  recomputedHash: Type.String(),
  tokenIdMatches: Type.Boolean(),
  metadataSource: Type.Union([Type.Literal('stored'), Type.Literal('rebuilt')]),
  edition: Type.Union([Type.Null(), Type.Object({
    number: Type.Integer(),
    isSold: Type.Boolean(),
    /** `you`, a username (admins only), or `collector`. */
    owner: Type.Union([Person, Type.Null()]),
    provenance: Type.Union([Type.Null(), Type.Object({
      purchaseId: Type.String(), buyer: Person, at: Type.String(), priceCredits: Type.Integer(),
      kind: Type.Union([Type.Literal('purchase'), Type.Literal('auto_buy')]), ledgerConfirmed: Type.Boolean(),
    })]),
  })]),
  yourEditions: Type.Array(Type.Integer()),
});

const VerifyQuerystring = Type.Object({ edition: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })) }, { additionalProperties: false });
const ChipParams = Type.Object({ chipId: Type.String({ format: 'uuid' }) });
const DesignerParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 80 }) });

/**
 * `GET /v1/chips/:chipId` and `GET /v1/designers/:name`: public profiles, readable without signing in.
 * `GET /v1/chips/:chipId/verify?edition=` (signed in): authenticity and an edition's provenance;
 * owners are named only to themselves and to admins.
 */
export async function profileRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Params: Static<typeof ChipParams>; Reply: Static<typeof ChipProfileResponse> }>('/v1/chips/:chipId', {
    schema: { params: ChipParams, response: { 200: ChipProfileResponse } },
  }, async (request) => {
    const profile = await chipProfile(app.db.dataSource.manager, request.params.chipId);
    if (!profile) throw Errors.NotFound('chip');
    return { ...profile, tags: [...profile.tags], shares: [...profile.shares] };
  });

  app.get<{ Params: Static<typeof ChipParams>; Querystring: Static<typeof VerifyQuerystring>; Reply: Static<typeof VerificationResponse> }>('/v1/chips/:chipId/verify', {
    preHandler: app.requireAuth,
    schema: { params: ChipParams, querystring: VerifyQuerystring, response: { 200: VerificationResponse } },
  }, async (request) => {
    const principal = principalOf(request);
    const verification = await verifyChip(app.db.dataSource.manager, { userId: principal.userId, role: principal.role }, request.params.chipId, request.query.edition);
    if (!verification) throw Errors.NotFound('chip');
    return { ...verification, yourEditions: [...verification.yourEditions] };
  });

  app.get<{ Params: Static<typeof DesignerParams>; Reply: Static<typeof DesignerProfileResponse> }>('/v1/designers/:name', {
    schema: { params: DesignerParams, response: { 200: DesignerProfileResponse } },
  }, async (request) => {
    const profile = await designerProfile(app.db.dataSource.manager, request.params.name);
    if (!profile) throw Errors.NotFound(`designer ${request.params.name}`);
    return { ...profile, portfolioUrls: [...profile.portfolioUrls], chips: [...profile.chips] };
  });
}
