import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Errors } from '../errors.js';
import { collectionOf, findDesigner } from '../marketplace/index.js';
import { principalOf } from './auth-plugin.js';

export const CollectionQuerystring = Type.Object({
  /** Only chips this designer (display name) made or collaborates on. */
  designer: Type.Optional(Type.String({ minLength: 1, maxLength: 80 })),
}, { additionalProperties: false });

export const CollectionResponse = Type.Object({
  editions: Type.Integer(),
  chips: Type.Array(Type.Object({
    chipId: Type.String(),
    name: Type.String(),
    designerName: Type.String(),
    tokenId: Type.String(),
    editionNumbers: Type.Array(Type.Integer()),
  })),
});

/** `GET /v1/collection`: the caller's own editions, grouped by chip. There is no way to ask for someone else's. */
export async function collectionRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: Static<typeof CollectionQuerystring>; Reply: Static<typeof CollectionResponse> }>('/v1/collection', {
    preHandler: app.requireAuth,
    schema: { querystring: CollectionQuerystring, response: { 200: CollectionResponse } },
  }, async (request) => {
    const manager = app.db.dataSource.manager;
    let designerId: string | undefined;
    if (request.query.designer !== undefined) {
      const designer = await findDesigner(manager, request.query.designer);
      if (!designer) throw Errors.NotFound(`designer ${request.query.designer}`);
      designerId = designer.id;
    }
    const view = await collectionOf(manager, principalOf(request).userId, { designerId });
    return { editions: view.editions, chips: view.chips.map((c) => ({ ...c, editionNumbers: [...c.editionNumbers] })) };
  });
}
