import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Errors } from '../errors.js';
import { clearPreference, findDesigner, getPreferences, recommend, setPreference } from '../marketplace/index.js';
import { principalOf } from './auth-plugin.js';

const Tag = Type.String({ minLength: 1, maxLength: 40, pattern: '^[^\\s].*$' });

export const PreferencesResponse = Type.Object({
  tags: Type.Array(Type.Object({ tag: Type.String(), liked: Type.Boolean(), source: Type.String(), at: Type.String() })),
});

const PreferenceBody = Type.Object({ tag: Tag, liked: Type.Boolean() }, { additionalProperties: false });
const TagParams = Type.Object({ tag: Tag });

export const RecommendQuery = Type.Object({
  tag: Type.Optional(Tag),
  maxPrice: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  designer: Type.Optional(Type.String({ minLength: 1, maxLength: 80 })),
  limit: Type.Integer({ minimum: 1, maximum: 20, default: 3 }),
}, { additionalProperties: false });

export const RecommendationsResponse = Type.Object({
  balance: Type.Integer(),
  chips: Type.Array(Type.Object({
    id: Type.String(), name: Type.String(), designer: Type.Object({ id: Type.String(), name: Type.String() }),
    priceCredits: Type.Integer(), tags: Type.Array(Type.String()), score: Type.Number(),
    reason: Type.Object({ kind: Type.String() }, { additionalProperties: true }),
  })),
});

/**
 * The caller's own tag preferences (`GET /v1/me/preferences`, `PUT` one tag, `DELETE
 * /v1/me/preferences/:tag`) and recommendations from them (`GET /v1/recommendations`). There is
 * no way to name another user: nobody reads someone else's preferences.
 */
export async function preferenceRoutes(app: FastifyInstance): Promise<void> {
  const list = async (userId: string) => ({ tags: (await getPreferences(app.db.dataSource.manager, userId)).map((p) => ({ ...p })) });

  app.get<{ Reply: Static<typeof PreferencesResponse> }>('/v1/me/preferences', {
    preHandler: app.requirePermission('preferences:own'),
    schema: { response: { 200: PreferencesResponse } },
  }, async (request) => list(principalOf(request).userId));

  app.put<{ Body: Static<typeof PreferenceBody>; Reply: Static<typeof PreferencesResponse> }>('/v1/me/preferences', {
    preHandler: app.requirePermission('preferences:own'),
    bodyLimit: 1024,
    schema: { body: PreferenceBody, response: { 200: PreferencesResponse } },
  }, async (request) => {
    await app.db.dataSource.transaction((manager) => setPreference(manager, principalOf(request).userId, request.body.tag, request.body.liked));
    return list(principalOf(request).userId);
  });

  app.delete<{ Params: Static<typeof TagParams>; Reply: Static<typeof PreferencesResponse> }>('/v1/me/preferences/:tag', {
    preHandler: app.requirePermission('preferences:own'),
    schema: { params: TagParams, response: { 200: PreferencesResponse } },
  }, async (request) => {
    const { removed } = await app.db.dataSource.transaction((manager) => clearPreference(manager, principalOf(request).userId, request.params.tag));
    if (!removed) throw Errors.NotFound(`preference ${request.params.tag}`);
    return list(principalOf(request).userId);
  });

  app.get<{ Querystring: Static<typeof RecommendQuery>; Reply: Static<typeof RecommendationsResponse> }>('/v1/recommendations', {
    preHandler: app.requirePermission('preferences:own'),
    schema: { querystring: RecommendQuery, response: { 200: RecommendationsResponse } },
  }, async (request) => {
    const manager = app.db.dataSource.manager;
    const { tag, maxPrice, designer: designerName, limit } = request.query;
    const designer = designerName === undefined ? null : await findDesigner(manager, designerName);
    if (designerName !== undefined && !designer) throw Errors.NotFound(`designer ${designerName}`);
    const found = await recommend(manager, principalOf(request).userId, { tag, maxPrice, limit, ...(designer ? { designerId: designer.id } : {}) });
    return {
      balance: found.balance,
      chips: found.chips.map((c) => ({
        id: c.id, name: c.name, designer: { id: c.designerId, name: c.designerName }, priceCredits: c.priceCredits, tags: [...c.tags], score: c.score, reason: { ...c.reason },
      })),
    };
  });
}
