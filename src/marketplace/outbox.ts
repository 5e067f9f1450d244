import type { DataSource, EntityManager } from 'typeorm';
import { Chip, Purchase, Subscription, type OutboxKind } from '../db/entities/index.js';
import { writeNotifications, type NotificationRef } from './notifications.js';
import { buyChip } from './purchases.js';

/** PubSub channel that wakes the outbox workers of every instance (a hint: they also poll). */
export const OUTBOX_CHANNEL = 'outbox-ready';

/** One claimed outbox row. */
export interface OutboxEventRow {
  readonly id: string;
  readonly kind: OutboxKind;
  readonly payload: Record<string, unknown>;
  readonly attempts: number;
}

/** What handling an event did: its outcome (stored on the row) and the notifications to push after commit. */
export interface OutboxOutcome {
  readonly outcome: string;
  readonly notifications: readonly NotificationRef[];
}

export interface OutboxSettings {
  readonly platformFeeBps: number;
}

/** The purchase idempotency key of an auto-buy: the same for every delivery of the event. */
export const autoBuyKey = (chipId: string, clientId: string): string => `autobuy:${chipId}:${clientId}`;

/**
 * Queues, inside the publishing transaction, one `auto_buy` event per subscriber of the designer
 * with auto-buy on and a cap that allows the price (or no cap). Returns how many were queued.
 */
export async function enqueueAutoBuys(
  manager: EntityManager, chip: { readonly chipId: string; readonly designerId: string; readonly priceCredits: number },
): Promise<number> {
  const rows = await manager.query(
    `INSERT INTO outbox_events (kind, dedupe_key, payload)
     SELECT 'auto_buy', 'autobuy:' || $1::text || ':' || s.client_id::text, jsonb_build_object('chipId', $1::text, 'clientId', s.client_id::text)
       FROM subscriptions s
      WHERE s.designer_id = $2 AND s.auto_buy AND (s.max_price IS NULL OR s.max_price >= $3)
      ORDER BY s.created_at, s.id
     ON CONFLICT (dedupe_key) DO NOTHING
     RETURNING id`,
    [chip.chipId, chip.designerId, chip.priceCredits],
  ) as unknown[];
  return rows.length;
}

/**
 * Does one auto-buy inside the worker's transaction, through the ordinary purchase path with a
 * deterministic idempotency key: a second delivery finds the first sale and changes nothing.
 * The subscription is read again, so auto-buy switched off (or a lowered cap) since publishing wins.
 */
export async function handleAutoBuy(manager: EntityManager, payload: Record<string, unknown>, settings: OutboxSettings): Promise<OutboxOutcome> {
  const chipId = String(payload.chipId);
  const clientId = String(payload.clientId);
  const chip = await manager.findOneBy(Chip, { id: chipId });
  if (!chip) return { outcome: 'not_found', notifications: [] };
  const subscription = await manager.findOneBy(Subscription, { clientId, designerId: chip.designerId });
  const key = autoBuyKey(chipId, clientId);
  const earlier = await manager.existsBy(Purchase, { buyerId: clientId, idempotencyKey: key });
  // Auto-buy switched off since publishing: nothing to do (unless an earlier delivery already bought).
  if (!earlier && !subscription?.autoBuy) return { outcome: 'auto_buy_off', notifications: [] };
  // A second delivery gets the first sale back from buyChip (a replay): no charge, no new notification.
  const result = await buyChip(manager, {
    buyerId: clientId, chipId, idempotencyKey: key, platformFeeBps: settings.platformFeeBps, kind: 'auto_buy',
    maxPrice: subscription?.maxPrice ?? null,
  });
  const data = { chipId, chipName: chip.name, priceCredits: chip.priceCredits };
  // One auto-buy notification per event, however often it is delivered: buyChip holds the buyer's
  // row lock until commit, so this check cannot race another delivery of the same event.
  const tell = async (text: string, extra: Record<string, unknown> = {}): Promise<NotificationRef[]> => {
    const told = await manager.query(
      `SELECT 1 FROM notifications WHERE user_id = $1 AND kind = 'auto_buy' AND data->>'autoBuyKey' = $2 LIMIT 1`, [clientId, key]) as unknown[];
    if (told.length > 0) return [];
    return writeNotifications(manager, [{ userId: clientId, kind: 'auto_buy', text, data: { ...data, ...extra, autoBuyKey: key } }]);
  };
  switch (result.kind) {
    case 'bought': {
      const { sale } = result;
      if (sale.isReplay) return { outcome: 'bought', notifications: [] };
      const mine = await tell(`Auto-bought ${chip.name} #${sale.editionNumber} for ${sale.priceCredits} credits`, {
        purchaseId: sale.purchaseId, editionNumber: sale.editionNumber, balance: sale.balanceAfter,
      });
      return { outcome: 'bought', notifications: [...mine, ...sale.notifications] };
    }
    case 'insufficient_credits':
      return {
        outcome: 'insufficient_credits',
        notifications: await tell(`Couldn't auto-buy ${chip.name}: not enough credits (it costs ${result.priceCredits}, you have ${result.balance})`, {
          reason: 'insufficient_credits', balance: result.balance,
        }),
      };
    case 'sold_out':
      return { outcome: 'sold_out', notifications: await tell(`Couldn't auto-buy ${chip.name}: it sold out`, { reason: 'sold_out' }) };
    case 'over_cap':
      return {
        outcome: 'over_cap',
        notifications: await tell(`Couldn't auto-buy ${chip.name}: ${result.priceCredits} credits is above your cap of ${result.maxPrice}`, { reason: 'over_cap' }),
      };
    case 'not_found':
    case 'price_changed': // auto-buy agrees to no fixed price (its cap is checked above)
      return { outcome: 'not_found', notifications: [] };
  }
}

export interface ProcessOptions {
  readonly settings: OutboxSettings;
  /** Runs after the work and before the commit (tests simulate a crash by throwing here). */
  readonly beforeCommit?: (event: OutboxEventRow) => Promise<void> | void;
}

export type ProcessResult =
  | { readonly kind: 'idle' }
  | { readonly kind: 'done'; readonly event: OutboxEventRow; readonly outcome: OutboxOutcome }
  | { readonly kind: 'failed'; readonly event: OutboxEventRow; readonly error: unknown };

/**
 * Claims the oldest due event no other worker holds (`FOR UPDATE SKIP LOCKED`), handles it and
 * marks it processed — all in ONE transaction: a crash or error anywhere before the commit rolls
 * everything back and releases the row for a retry, so the effect happens exactly once.
 * A failed try is recorded in its own transaction (attempts, error, back-off).
 */
export async function processNextEvent(dataSource: DataSource, options: ProcessOptions): Promise<ProcessResult> {
  let claimed: OutboxEventRow | null = null;
  try {
    const outcome = await dataSource.transaction(async (manager) => {
      const [row] = await manager.query(
        `SELECT id, kind, payload, attempts FROM outbox_events
          WHERE processed_at IS NULL AND available_at <= now()
          ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`,
      ) as { id: string; kind: OutboxKind; payload: Record<string, unknown>; attempts: number }[];
      if (!row) return null;
      claimed = { id: String(row.id), kind: row.kind, payload: row.payload, attempts: Number(row.attempts) };
      const result = await handle(manager, claimed, options.settings);
      await options.beforeCommit?.(claimed);
      await manager.query(`UPDATE outbox_events SET processed_at = now(), outcome = $2, last_error = NULL WHERE id = $1`, [claimed.id, result.outcome]);
      return result;
    });
    if (!outcome || !claimed) return { kind: 'idle' };
    return { kind: 'done', event: claimed, outcome };
  } catch (error) {
    if (!claimed) throw error;
    return { kind: 'failed', event: claimed, error };
  }
}

function handle(manager: EntityManager, event: OutboxEventRow, settings: OutboxSettings): Promise<OutboxOutcome> {
  switch (event.kind) {
    case 'auto_buy':
      return handleAutoBuy(manager, event.payload, settings);
  }
}

/**
 * Records a failed try: the row becomes due again after `retryDelayMs × 2^attempts` (capped at a
 * minute); after `maxAttempts` it is closed with the outcome `failed`.
 */
export async function recordFailure(
  dataSource: DataSource, event: OutboxEventRow, error: unknown, policy: { readonly retryDelayMs: number; readonly maxAttempts: number },
): Promise<{ readonly gaveUp: boolean }> {
  const attempts = event.attempts + 1;
  const gaveUp = attempts >= policy.maxAttempts;
  const delayMs = Math.min(policy.retryDelayMs * 2 ** (attempts - 1), 60_000);
  const message = (error instanceof Error ? error.message : String(error)).slice(0, 1000);
  await dataSource.query(
    `UPDATE outbox_events
        SET attempts = attempts + 1, last_error = $2,
            available_at = now() + ($3::int * interval '1 millisecond'),
            processed_at = CASE WHEN $4 THEN now() END, outcome = CASE WHEN $4 THEN 'failed' END
      WHERE id = $1 AND processed_at IS NULL`,
    [event.id, message, delayMs, gaveUp],
  );
  return { gaveUp };
}
