import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Errors } from '../errors.js';
import {
  createGroup, findGroupById, joinGroup, leaveGroup, listGroups, listPosts, postToGroup, POST_MAX_CHARS,
} from '../marketplace/index.js';
import { afterCommit } from './after-commit.js';
import { principalOf } from './auth-plugin.js';

const GroupParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

const Group = Type.Object({
  id: Type.String(), name: Type.String(), description: Type.String(), createdBy: Type.String(),
  members: Type.Integer(), isMember: Type.Boolean(), createdAt: Type.String(),
});
const Post = Type.Object({
  id: Type.String(), groupId: Type.String(), groupName: Type.String(), author: Type.String(),
  parentId: Type.Union([Type.String(), Type.Null()]), text: Type.String(), createdAt: Type.String(),
});

export const GroupsResponse = Type.Object({ groups: Type.Array(Group) });
export const CreateGroupBody = Type.Object({
  name: Type.String({ minLength: 2, maxLength: 80, pattern: '^[A-Za-z0-9][A-Za-z0-9 \'&-]*$' }),
  description: Type.String({ maxLength: 500, default: '' }),
}, { additionalProperties: false });
export const MembershipResponse = Type.Object({ groupId: Type.String(), member: Type.Boolean(), changed: Type.Boolean() });
export const PostsQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  /** Only posts older than this time (the last post's `createdAt`, for the next page). */
  before: Type.Optional(Type.String({ format: 'date-time' })),
}, { additionalProperties: false });
export const PostsResponse = Type.Object({ group: Type.Object({ id: Type.String(), name: Type.String() }), posts: Type.Array(Post) });
export const PostBody = Type.Object({
  text: Type.String({ minLength: 1, maxLength: POST_MAX_CHARS, pattern: '\\S' }),
  /** Reply to this post of the same group. */
  parentId: Type.Optional(Type.String({ format: 'uuid' })),
}, { additionalProperties: false });

/**
 * Community groups: `GET/POST /v1/groups` (list; designers create), `POST/DELETE
 * /v1/groups/:id/members` (join, leave), `GET/POST /v1/groups/:id/posts` (read; members post and
 * reply, length- and rate-limited; the other members hear about it live).
 */
export async function groupRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Reply: Static<typeof GroupsResponse> }>('/v1/groups', {
    preHandler: app.requireAuth,
    schema: { response: { 200: GroupsResponse } },
  }, async (request) => ({ groups: await listGroups(app.db.dataSource.manager, principalOf(request).userId) }));

  app.post<{ Body: Static<typeof CreateGroupBody>; Reply: Static<typeof Group> }>('/v1/groups', {
    preHandler: app.requirePermission('group:create'),
    bodyLimit: 4 * 1024,
    schema: { body: CreateGroupBody, response: { 201: Group } },
  }, async (request, reply) => {
    const { name, description } = request.body;
    const result = await app.db.dataSource.transaction((manager) => createGroup(manager, principalOf(request).userId, name, description));
    if (result.kind === 'name_taken') throw Errors.Conflict(`a group called ${name} exists`);
    // The group's name can be said from now on (JoinGroup, PostToGroup) on every instance.
    await afterCommit(app, request.log, { catalogChanged: true });
    return reply.status(201).send(result.group);
  });

  const membership = (join: boolean) => async (request: Pick<FastifyRequest<{ Params: Static<typeof GroupParams> }>, 'params' | 'principal'>) => {
    const manager = app.db.dataSource.manager;
    const group = await findGroupById(manager, request.params.id);
    if (!group) throw Errors.NotFound('group');
    const changed = join ? (await joinGroup(manager, principalOf(request).userId, group)).joined : (await leaveGroup(manager, principalOf(request).userId, group)).left;
    return { groupId: group.id, member: join, changed };
  };
  app.post<{ Params: Static<typeof GroupParams>; Reply: Static<typeof MembershipResponse> }>('/v1/groups/:id/members', {
    preHandler: app.requirePermission('group:take-part'),
    schema: { params: GroupParams, response: { 200: MembershipResponse } },
  }, membership(true));
  app.delete<{ Params: Static<typeof GroupParams>; Reply: Static<typeof MembershipResponse> }>('/v1/groups/:id/members', {
    preHandler: app.requirePermission('group:take-part'),
    schema: { params: GroupParams, response: { 200: MembershipResponse } },
  }, membership(false));

  app.get<{ Params: Static<typeof GroupParams>; Querystring: Static<typeof PostsQuery>; Reply: Static<typeof PostsResponse> }>('/v1/groups/:id/posts', {
    preHandler: app.requireAuth,
    schema: { params: GroupParams, querystring: PostsQuery, response: { 200: PostsResponse } },
  }, async (request) => {
    const manager = app.db.dataSource.manager;
    const group = await findGroupById(manager, request.params.id);
    if (!group) throw Errors.NotFound('group');
    const before = request.query.before === undefined ? undefined : new Date(request.query.before);
    return { group: { ...group }, posts: await listPosts(manager, [group.id], { limit: request.query.limit, ...(before ? { before } : {}) }) };
  });

  app.post<{ Params: Static<typeof GroupParams>; Body: Static<typeof PostBody>; Reply: Static<typeof Post> }>('/v1/groups/:id/posts', {
    preHandler: app.requirePermission('group:take-part'),
    bodyLimit: 4 * 1024,
    schema: { params: GroupParams, body: PostBody, response: { 201: Post } },
  }, async (request, reply) => {
    const result = await app.db.dataSource.transaction(async (manager) => {
      const group = await findGroupById(manager, request.params.id);
      if (!group) throw Errors.NotFound('group');
      const posted = await postToGroup(manager, { authorId: principalOf(request).userId, group, text: request.body.text, parentId: request.body.parentId ?? null });
      switch (posted.kind) {
        case 'posted': return posted;
        case 'not_member': throw Errors.NotGroupMember(group.name);
        case 'empty': throw Errors.PostInvalid('the text is empty');
        case 'too_long': throw Errors.PostInvalid(`the text is longer than ${posted.max} characters`);
        case 'parent_not_found': throw Errors.PostInvalid('the post replied to is not in this group');
        case 'rate_limited':
          void reply.header('retry-after', String(posted.retryAfterS));
          throw Errors.RateLimited(posted.retryAfterS);
      }
    });
    await afterCommit(app, request.log, { notifications: result.notifications });
    return reply.status(201).send(result.post);
  });
}
