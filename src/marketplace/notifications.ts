import { IsNull, type EntityManager } from 'typeorm';
import { Notification } from '../db/entities/index.js';
import type { PubSub } from '../cache/index.js';

export interface NotificationView {
  readonly id: string;
  readonly kind: string;
  readonly text: string;
  readonly data: Record<string, unknown>;
  readonly createdAt: string;
}

/** Unread notifications, newest first (at most `limit`), marked read in the same transaction. */
export async function readNotifications(manager: EntityManager, userId: string, limit = 10): Promise<{ items: NotificationView[]; remaining: number }> {
  const rows = await manager.createQueryBuilder(Notification, 'n')
    .setLock('pessimistic_write')
    .setOnLocked('skip_locked')
    .where('n.user_id = :userId AND n.read_at IS NULL', { userId })
    .orderBy('n.created_at', 'DESC')
    .addOrderBy('n.id', 'DESC')
    .limit(limit)
    .getMany();
  if (rows.length > 0) {
    await manager.createQueryBuilder().update(Notification)
      .set({ readAt: () => 'now()' })
      .whereInIds(rows.map((r) => r.id))
      .execute();
  }
  const remaining = await manager.countBy(Notification, { userId, readAt: IsNull() });
  return {
    items: rows.map((r) => ({ id: r.id, kind: r.kind, text: r.text, data: r.data, createdAt: r.createdAt.toISOString() })),
    remaining,
  };
}

/** Channel of a user's live notifications (every voice WebSocket of that user, on any instance, listens). */
export const userChannel = (userId: string): string => `user:${userId}`;

/** A notification row just written, to push to its user after commit. */
export interface NotificationRef {
  readonly id: string;
  readonly userId: string;
  readonly kind: string;
  readonly text: string;
}

/** What a user's open sessions receive (as `{"type":"notification", ...}` on the WebSocket): the stored row. */
export interface NotificationMessage extends NotificationView {
  readonly unread: boolean;
}

/** Writes notification rows inside the caller's transaction; push them with {@link pushNotifications} after commit. */
export async function writeNotifications(
  manager: EntityManager,
  rows: readonly { readonly userId: string; readonly kind: string; readonly text: string; readonly data?: Record<string, unknown> }[],
): Promise<NotificationRef[]> {
  if (rows.length === 0) return [];
  const inserted = await manager.query(
    `INSERT INTO notifications (user_id, kind, text, data)
     SELECT * FROM unnest($1::uuid[], $2::varchar[], $3::text[], $4::jsonb[])
     RETURNING id, user_id, kind, text`,
    [rows.map((r) => r.userId), rows.map((r) => r.kind), rows.map((r) => r.text), rows.map((r) => JSON.stringify(r.data ?? {}))],
  ) as { id: string; user_id: string; kind: string; text: string }[];
  return inserted.map((r) => ({ id: r.id, userId: r.user_id, kind: r.kind, text: r.text }));
}

export interface NotificationPushDeps {
  readonly db: Pick<EntityManager, 'query'>;
  readonly pubsub: PubSub;
  readonly log?: { warn(obj: unknown, msg: string): void };
}

/**
 * Publishes committed notifications on `user:<userId>` — the one way every kind (sales, new chips,
 * auto-buys, top-ups) reaches live sessions on every instance. Call it only AFTER the transaction
 * that wrote them committed. The message is the stored row, read back by id, so a live push and
 * ReadNotifications never disagree. Best effort: the row stays readable when the push fails.
 */
export async function pushNotifications(deps: NotificationPushDeps, written: readonly { readonly id: string }[]): Promise<void> {
  if (written.length === 0) return;
  try {
    const rows = await deps.db.query(
      `SELECT id, user_id, kind, text, data, created_at, read_at FROM notifications WHERE id = ANY($1::uuid[]) ORDER BY created_at, id`,
      [written.map((n) => n.id)],
    ) as { id: string; user_id: string; kind: string; text: string; data: Record<string, unknown>; created_at: Date; read_at: Date | null }[];
    await Promise.all(rows.map((r) => {
      const message: NotificationMessage = {
        id: r.id, kind: r.kind, text: r.text, data: r.data, createdAt: new Date(r.created_at).toISOString(), unread: r.read_at === null,
      };
      return deps.pubsub.publish(userChannel(r.user_id), message);
    }));
  } catch (err) {
    deps.log?.warn({ err, count: written.length }, 'could not push notifications (they stay readable)');
  }
}
