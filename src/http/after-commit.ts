import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { pushNotifications, type NotificationRef } from '../marketplace/index.js';

/** What a committed change has to tell the rest of the system. */
export interface CommittedChange {
  /** Names that can be said changed: every instance's catalog lists reload. */
  readonly catalogChanged?: boolean;
  /** Notifications the transaction wrote, pushed to live sessions. */
  readonly notifications?: readonly NotificationRef[];
  /** The transaction queued outbox events: the worker starts on them now. */
  readonly outboxQueued?: boolean;
}

/** Announces a change once its transaction committed; each part is best effort and logged. */
export async function afterCommit(app: FastifyInstance, log: FastifyBaseLogger, change: CommittedChange): Promise<void> {
  await Promise.all([
    change.catalogChanged ? app.catalogLists.invalidate().catch((err: unknown) => log.warn({ err }, 'catalog lists not invalidated')) : undefined,
    change.notifications ? pushNotifications({ db: app.db.dataSource, pubsub: app.pubsub, log }, change.notifications) : undefined,
    change.outboxQueued ? app.outbox.nudge() : undefined,
  ]);
}
