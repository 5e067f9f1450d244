import type { EntityManager } from 'typeorm';
import { DesignerProfile, Subscription, User } from '../db/entities/index.js';
import type { DesignerRef } from './directory.js';

export interface SubscriptionView {
  readonly designerId: string;
  readonly designerName: string;
  readonly autoBuy: boolean;
  /** Auto-buy price cap in credits; null = none. */
  readonly maxPrice: number | null;
}

/** Subscribes the client to a designer. `created` is false when they already were. */
export async function subscribe(manager: EntityManager, clientId: string, designer: DesignerRef): Promise<{ created: boolean }> {
  const result = await manager.createQueryBuilder()
    .insert()
    .into(Subscription)
    .values({ clientId, designerId: designer.id, autoBuy: false, maxPrice: null })
    .orIgnore()
    .returning(['id'])
    .execute();
  return { created: result.raw.length > 0 };
}

/** `removed` is false when there was no subscription. */
export async function unsubscribe(manager: EntityManager, clientId: string, designer: DesignerRef): Promise<{ removed: boolean }> {
  const result = await manager.delete(Subscription, { clientId, designerId: designer.id });
  return { removed: (result.affected ?? 0) > 0 };
}

/** The client's subscriptions, by designer name. */
export async function listSubscriptions(manager: EntityManager, clientId: string): Promise<SubscriptionView[]> {
  const rows = await manager.createQueryBuilder(Subscription, 's')
    .innerJoin(DesignerProfile, 'd', 'd.user_id = s.designer_id')
    .select(['s.designer_id AS designer_id', 'd.display_name AS designer_name', 's.auto_buy AS auto_buy', 's.max_price AS max_price'])
    .where('s.client_id = :clientId', { clientId })
    .orderBy('d.display_name', 'ASC')
    .getRawMany<Record<string, unknown>>();
  return rows.map((r) => ({
    designerId: String(r.designer_id),
    designerName: String(r.designer_name),
    autoBuy: Boolean(r.auto_buy),
    maxPrice: r.max_price === null ? null : Number(r.max_price),
  }));
}

/**
 * Turns auto-buy on for a designer, with an optional price cap; subscribes first when needed.
 * `subscribed` tells whether a new subscription was made.
 */
export async function enableAutoBuy(
  manager: EntityManager, clientId: string, designer: DesignerRef, maxPrice: number | null,
): Promise<{ subscribed: boolean }> {
  const result = await manager.createQueryBuilder()
    .insert()
    .into(Subscription)
    .values({ clientId, designerId: designer.id, autoBuy: true, maxPrice })
    .orUpdate(['auto_buy', 'max_price'], ['client_id', 'designer_id'])
    .returning('(xmax = 0) AS inserted')
    .execute();
  const raw = result.raw as { inserted: boolean }[];
  return { subscribed: raw[0]?.inserted === true };
}

/** Turns auto-buy off; `changed` is false when it was not on (or there is no subscription). */
export async function disableAutoBuy(manager: EntityManager, clientId: string, designer: DesignerRef): Promise<{ changed: boolean }> {
  const result = await manager.update(Subscription, { clientId, designerId: designer.id, autoBuy: true }, { autoBuy: false, maxPrice: null });
  return { changed: (result.affected ?? 0) > 0 };
}

/** A designer's subscribers: how many, and the usernames of the newest `limit` of them. */
export async function listSubscribers(manager: EntityManager, designerId: string, limit = 5): Promise<{ total: number; newest: string[] }> {
  const query = manager.createQueryBuilder(Subscription, 's')
    .innerJoin(User, 'u', 'u.id = s.client_id')
    .where('s.designer_id = :designerId', { designerId });
  const total = await query.clone().getCount();
  const rows = await query.select('u.username', 'username').orderBy('s.created_at', 'DESC').addOrderBy('u.username', 'ASC')
    .limit(limit).getRawMany<{ username: string }>();
  return { total, newest: rows.map((r) => r.username) };
}
