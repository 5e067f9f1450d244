import { IsNull, type EntityManager } from 'typeorm';
import { Notification } from '../db/entities/index.js';

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
