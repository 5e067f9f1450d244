import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Errors } from '../errors.js';
import { findDesigner, readReviews, REVIEW_MAX_CHARS, writeReview } from '../marketplace/index.js';
import { afterCommit } from './after-commit.js';
import { principalOf } from './auth-plugin.js';

const DesignerParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 80 }) });

export const ReviewBody = Type.Object({
  /** Stored verbatim (trimmed); shown escaped. */
  text: Type.String({ minLength: 1, maxLength: REVIEW_MAX_CHARS, pattern: '\\S' }),
  /** 1–5 stars, or null for none; absent keeps the stars of an earlier review. */
  rating: Type.Optional(Type.Union([Type.Unsafe<null>({ const: null }), Type.Integer({ minimum: 1, maximum: 5 })])),
}, { additionalProperties: false });

const Review = Type.Object({
  author: Type.String(), rating: Type.Union([Type.Integer(), Type.Null()]), text: Type.String(), updatedAt: Type.String(),
});

export const ReviewsResponse = Type.Object({
  designer: Type.Object({ id: Type.String(), name: Type.String() }),
  average: Type.Union([Type.Number(), Type.Null()]),
  ratingCount: Type.Integer(),
  reviewCount: Type.Integer(),
  reviews: Type.Array(Review),
});

export const ReviewWrittenResponse = Type.Object({
  designer: Type.Object({ id: Type.String(), name: Type.String() }),
  rating: Type.Union([Type.Integer(), Type.Null()]),
  replaced: Type.Boolean(),
  average: Type.Union([Type.Number(), Type.Null()]),
  ratingCount: Type.Integer(),
});

const ReviewsQuery = Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 50, default: 10 }) }, { additionalProperties: false });

/**
 * `GET /v1/designers/:name/reviews` (any signed-in user: the average and the latest written
 * reviews) and `PUT /v1/designers/:name/review` (the caller's own review; a new one replaces it).
 */
export async function reviewRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Params: Static<typeof DesignerParams>; Querystring: Static<typeof ReviewsQuery>; Reply: Static<typeof ReviewsResponse> }>('/v1/designers/:name/reviews', {
    preHandler: app.requireAuth,
    schema: { params: DesignerParams, querystring: ReviewsQuery, response: { 200: ReviewsResponse } },
  }, async (request) => {
    const manager = app.db.dataSource.manager;
    const designer = await findDesigner(manager, request.params.name);
    if (!designer) throw Errors.NotFound(`designer ${request.params.name}`);
    const summary = await readReviews(manager, designer, request.query.limit);
    return { ...summary, designer: { ...summary.designer }, reviews: [...summary.reviews] };
  });

  app.put<{ Params: Static<typeof DesignerParams>; Body: Static<typeof ReviewBody>; Reply: Static<typeof ReviewWrittenResponse> }>('/v1/designers/:name/review', {
    preHandler: app.requirePermission('designer:review'),
    bodyLimit: 4 * 1024,
    schema: { params: DesignerParams, body: ReviewBody, response: { 200: ReviewWrittenResponse } },
  }, async (request) => {
    const { text, rating } = request.body;
    const done = await app.db.dataSource.transaction(async (manager) => {
      const designer = await findDesigner(manager, request.params.name);
      if (!designer) throw Errors.NotFound(`designer ${request.params.name}`);
      const result = await writeReview(manager, { clientId: principalOf(request).userId, designer, text, ...(rating === undefined ? {} : { rating }) });
      if (result.kind === 'own_profile') throw Errors.ReviewInvalid('you cannot review yourself');
      if (result.kind === 'empty') throw Errors.ReviewInvalid('the text is empty');
      if (result.kind === 'too_long') throw Errors.ReviewInvalid(`the text is longer than ${result.max} characters`);
      if (result.kind === 'invalid_rating') throw Errors.ReviewInvalid('ratings go from 1 to 5 stars');
      return { designer, result };
    });
    await afterCommit(app, request.log, { notifications: done.result.notifications });
    const { result } = done;
    return { designer: { ...done.designer }, rating: result.rating, replaced: result.replaced, average: result.average, ratingCount: result.count };
  });
}
