import type { EntityManager } from 'typeorm';
import { Group, GroupMember, GroupPost } from '../db/entities/index.js';
import { writeNotifications, type NotificationRef } from './notifications.js';

/** Longest post, in characters (the database checks it too). */
export const POST_MAX_CHARS = 500;
/** Posting rate limit per author, over all groups: this many posts per window. */
export const POST_RATE = { posts: 5, windowS: 600 } as const;
/** How many posts are read out. */
export const SPOKEN_POSTS = 3;

export interface GroupRef {
  readonly id: string;
  readonly name: string;
}

export interface GroupView extends GroupRef {
  readonly description: string;
  readonly createdBy: string;
  readonly members: number;
  readonly isMember: boolean;
  readonly createdAt: string;
}

export interface PostView {
  readonly id: string;
  readonly groupId: string;
  readonly groupName: string;
  readonly author: string;
  readonly parentId: string | null;
  readonly text: string;
  readonly createdAt: string;
}

export type CreateGroupResult = { readonly kind: 'created'; readonly group: GroupView } | { readonly kind: 'name_taken' };

export type PostResult =
  | { readonly kind: 'posted'; readonly post: PostView; readonly notifications: readonly NotificationRef[] }
  | { readonly kind: 'not_member' }
  | { readonly kind: 'empty' }
  | { readonly kind: 'too_long'; readonly max: number }
  | { readonly kind: 'parent_not_found' }
  | { readonly kind: 'rate_limited'; readonly retryAfterS: number };

/** A person as named in groups: a designer's display name, otherwise the username. */
const AUTHOR_NAME = `coalesce((SELECT dp.display_name FROM designer_profiles dp WHERE dp.user_id = u.id), u.username)`;

/** A group by name, case-insensitively. */
export async function findGroup(manager: EntityManager, name: string): Promise<GroupRef | null> {
  const row = await manager.createQueryBuilder(Group, 'g').where('lower(g.name) = lower(:name)', { name: name.trim() }).getOne();
  return row ? { id: row.id, name: row.name } : null;
}

export async function findGroupById(manager: EntityManager, id: string): Promise<GroupRef | null> {
  const row = await manager.findOneBy(Group, { id });
  return row ? { id: row.id, name: row.name } : null;
}

/** A designer creates a group and is its first member. Names are unique case-insensitively. */
export async function createGroup(manager: EntityManager, creatorId: string, name: string, description: string): Promise<CreateGroupResult> {
  // Serialises creations of the same name (the unique key alone is case-sensitive).
  await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`group:${name.trim().toLowerCase()}`]);
  if (await findGroup(manager, name)) return { kind: 'name_taken' };
  const group = await manager.save(manager.create(Group, { name: name.trim(), description: description.trim(), createdById: creatorId }));
  await manager.insert(GroupMember, { groupId: group.id, userId: creatorId });
  const [view] = await listGroups(manager, creatorId, group.id);
  return { kind: 'created', group: view! };
}

/** Every group (or one), with its member count and whether `userId` is a member; by name. */
export async function listGroups(manager: EntityManager, userId: string, onlyId?: string): Promise<GroupView[]> {
  const rows = await manager.query(
    `SELECT g.id, g.name, g.description, g.created_at, ${AUTHOR_NAME} AS created_by,
            (SELECT count(*)::int FROM group_members m WHERE m.group_id = g.id) AS members,
            EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = g.id AND m.user_id = $1) AS is_member
     FROM groups g JOIN users u ON u.id = g.created_by_id
     WHERE ($2::uuid IS NULL OR g.id = $2::uuid) ORDER BY lower(g.name)`,
    [userId, onlyId ?? null],
  ) as { id: string; name: string; description: string; created_at: Date; created_by: string; members: number; is_member: boolean }[];
  return rows.map((r) => ({
    id: r.id, name: r.name, description: r.description, createdBy: r.created_by, members: r.members, isMember: r.is_member,
    createdAt: new Date(r.created_at).toISOString(),
  }));
}

export async function joinGroup(manager: EntityManager, userId: string, group: GroupRef): Promise<{ joined: boolean }> {
  const result = await manager.createQueryBuilder().insert().into(GroupMember).values({ groupId: group.id, userId }).orIgnore().execute();
  return { joined: (result.raw as unknown[]).length > 0 };
}

export async function leaveGroup(manager: EntityManager, userId: string, group: GroupRef): Promise<{ left: boolean }> {
  const result = await manager.delete(GroupMember, { groupId: group.id, userId });
  return { left: (result.affected ?? 0) > 0 };
}

export async function isGroupMember(manager: EntityManager, userId: string, groupId: string): Promise<boolean> {
  return manager.existsBy(GroupMember, { groupId, userId });
}

/** The groups `userId` belongs to, by name. */
export async function myGroups(manager: EntityManager, userId: string): Promise<GroupRef[]> {
  return (await listGroups(manager, userId)).filter((g) => g.isMember).map((g) => ({ id: g.id, name: g.name }));
}

/** Posts of some groups, newest first (`before`: older than this post's time, for paging). */
export async function listPosts(manager: EntityManager, groupIds: readonly string[], options: { limit?: number; before?: Date } = {}): Promise<PostView[]> {
  if (groupIds.length === 0) return [];
  const limit = Math.min(Math.max(options.limit ?? 20, 1), 100);
  return queryPosts(manager, 'p.group_id = ANY($1::uuid[]) AND ($2::timestamptz IS NULL OR p.created_at < $2::timestamptz)', [groupIds, options.before?.toISOString() ?? null], limit);
}

async function queryPosts(manager: EntityManager, where: string, params: unknown[], limit: number): Promise<PostView[]> {
  const rows = await manager.query(
    `SELECT p.id, p.group_id, g.name AS group_name, ${AUTHOR_NAME} AS author, p.parent_id, p.text, p.created_at
     FROM group_posts p JOIN groups g ON g.id = p.group_id JOIN users u ON u.id = p.author_id
     WHERE ${where} ORDER BY p.created_at DESC, p.id DESC LIMIT ${limit}`,
    params,
  ) as { id: string; group_id: string; group_name: string; author: string; parent_id: string | null; text: string; created_at: Date }[];
  return rows.map((r) => ({
    id: r.id, groupId: r.group_id, groupName: r.group_name, author: r.author, parentId: r.parent_id, text: r.text,
    createdAt: new Date(r.created_at).toISOString(),
  }));
}

/**
 * A member posts to a group (or replies to a post of it). Length- and rate-limited; every other
 * member gets a notification (push them after commit: live on every instance).
 */
export async function postToGroup(
  manager: EntityManager,
  request: { readonly authorId: string; readonly group: GroupRef; readonly text: string; readonly parentId?: string | null; readonly now?: Date },
): Promise<PostResult> {
  const text = request.text.trim();
  if (text === '') return { kind: 'empty' };
  if (text.length > POST_MAX_CHARS) return { kind: 'too_long', max: POST_MAX_CHARS };
  // The author's row serialises their posts, so the rate limit holds across instances.
  await manager.query('SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE', [request.authorId]);
  if (!(await manager.existsBy(GroupMember, { groupId: request.group.id, userId: request.authorId }))) return { kind: 'not_member' };
  if (request.parentId != null && !(await manager.existsBy(GroupPost, { id: request.parentId, groupId: request.group.id }))) return { kind: 'parent_not_found' };
  const now = request.now ?? new Date();
  const recent = await manager.query(
    `SELECT created_at FROM group_posts WHERE author_id = $1 AND created_at > $2::timestamptz - make_interval(secs => $3) ORDER BY created_at DESC`,
    [request.authorId, now.toISOString(), POST_RATE.windowS],
  ) as { created_at: Date }[];
  if (recent.length >= POST_RATE.posts) {
    const oldest = new Date(recent[POST_RATE.posts - 1]!.created_at).getTime();
    return { kind: 'rate_limited', retryAfterS: Math.max(1, Math.ceil((oldest + POST_RATE.windowS * 1000 - now.getTime()) / 1000)) };
  }
  const [inserted] = await manager.query(
    'INSERT INTO group_posts (group_id, author_id, parent_id, text, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id',
    [request.group.id, request.authorId, request.parentId ?? null, text, now.toISOString()],
  ) as [{ id: string }];
  const view = (await queryPosts(manager, 'p.id = $1', [inserted.id], 1))[0]!;
  const members = await manager.query('SELECT user_id FROM group_members WHERE group_id = $1 AND user_id <> $2 ORDER BY user_id', [request.group.id, request.authorId]) as { user_id: string }[];
  const spoken = text.length > 120 ? `${text.slice(0, 117)}...` : text;
  const notifications = await writeNotifications(manager, members.map((m) => ({
    userId: m.user_id, kind: 'group_post', text: `${view.author} posted in ${request.group.name}: ${spoken}`,
    data: { groupId: request.group.id, groupName: request.group.name, postId: view.id, author: view.author, parentId: view.parentId },
  })));
  return { kind: 'posted', post: view, notifications };
}
