import type { EntityManager } from 'typeorm';
import { Chip, ChipCollaborator, DesignerProfile, Edition, Purchase, RoyaltyPayout, User } from '../db/entities/index.js';
import { balanceOf, postTransfer } from './ledger.js';
import { writeNotifications, type NotificationRef } from './notifications.js';
import { splitRoyalties, type RoyaltyShare } from './royalties.js';
import { learnPreferences } from './preferences.js';

export interface BuyRequest {
  readonly buyerId: string;
  readonly chipId: string;
  /** A retried request with the same key (per buyer) returns the first result and never charges twice. */
  readonly idempotencyKey: string;
  readonly platformFeeBps: number;
  readonly kind?: 'purchase' | 'auto_buy';
  /** Refuse when the price is above this (auto-buy caps). */
  readonly maxPrice?: number | null;
  /** The price the buyer agreed to (read back and confirmed): any other price is refused. */
  readonly agreedPrice?: number;
}

export interface Sale {
  readonly purchaseId: string;
  readonly chipId: string;
  readonly chipName: string;
  readonly designerName: string;
  readonly editionNumber: number;
  readonly priceCredits: number;
  readonly platformFeeCredits: number;
  readonly payouts: readonly { readonly designerId: string; readonly amount: number }[];
  readonly balanceAfter: number;
  /** Notifications written for the designers (to push after commit with `pushNotifications`). */
  readonly notifications: readonly NotificationRef[];
  /** True when this is the answer to a retried request (nothing was charged this time). */
  readonly isReplay: boolean;
}

/** Why a purchase or an order bought nothing (its transaction rolled back). */
export type PurchaseRefusal =
  /** `priceCredits` is what the whole purchase or order would have cost. */
  | { readonly kind: 'insufficient_credits'; readonly chipName: string; readonly priceCredits: number; readonly balance: number }
  | { readonly kind: 'sold_out'; readonly chipName: string }
  | { readonly kind: 'over_cap'; readonly chipName: string; readonly priceCredits: number; readonly maxPrice: number }
  | { readonly kind: 'price_changed'; readonly chipName: string; readonly priceCredits: number; readonly agreedPrice: number }
  | { readonly kind: 'not_found' };

export type BuyResult = { readonly kind: 'bought'; readonly sale: Sale } | PurchaseRefusal;

/** The most editions one order may buy (one read-back, one transaction). */
export const MAX_ORDER_QUANTITY = 10;

export interface OrderRequest extends BuyRequest {
  /** How many editions, 1 to {@link MAX_ORDER_QUANTITY}; all are bought or none. */
  readonly quantity: number;
}

/** Several editions of one chip bought together: one sale (transaction row) per edition. */
export interface Order {
  readonly chipId: string;
  readonly chipName: string;
  readonly designerName: string;
  readonly quantity: number;
  readonly unitPriceCredits: number;
  readonly totalCredits: number;
  readonly editionNumbers: readonly number[];
  readonly sales: readonly Sale[];
  readonly balanceAfter: number;
  /** One notification per designer for the whole order, to push after commit. */
  readonly notifications: readonly NotificationRef[];
  readonly isReplay: boolean;
}

export type OrderResult =
  | { readonly kind: 'bought'; readonly order: Order }
  | PurchaseRefusal
  /** Fewer editions left than asked for (but some). */
  | { readonly kind: 'not_enough_left'; readonly chipName: string; readonly left: number }
  | { readonly kind: 'invalid_quantity'; readonly max: number };

/**
 * Buys the next edition of a chip inside the caller's transaction: locks the buyer and the chip,
 * checks stock and balance, writes the sale, the edition, the royalty payouts, one balanced
 * ledger transfer and a notification per designer. Refusals are results, not exceptions.
 */
export async function buyChip(manager: EntityManager, request: BuyRequest): Promise<BuyResult> {
  const result = await buyEditions(manager, { ...request, quantity: 1 });
  if (result.kind === 'bought') return { kind: 'bought', sale: result.order.sales[0]! };
  // One edition asked for: "not enough left" can only mean none left.
  if (result.kind === 'not_enough_left') return { kind: 'sold_out', chipName: result.chipName };
  if (result.kind === 'invalid_quantity') throw new Error('one edition is always a valid quantity');
  return result;
}

/** The idempotency key of the i-th edition (1-based) of an order: the first keeps the order's key. */
const editionKey = (key: string, i: number): string => (i === 1 ? key : `${key}#${i}`);

/**
 * Buys `quantity` editions of one chip inside the caller's transaction, all or none: every check
 * (price agreed, editions left, balance for the total) is made under the buyer's and the chip's
 * locks before anything is written, so the writes that follow cannot be refused half way. Each
 * edition is its own sale with its own payouts and ledger transfer, exactly as a single purchase.
 */
export async function buyEditions(manager: EntityManager, request: OrderRequest): Promise<OrderResult> {
  const { quantity } = request;
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_ORDER_QUANTITY) return { kind: 'invalid_quantity', max: MAX_ORDER_QUANTITY };
  // The buyer's row is the lock that serialises a buyer's purchases (and retries of one request).
  // FOR NO KEY UPDATE, not FOR UPDATE: it must not block the foreign-key checks (FOR KEY SHARE) of
  // other sales paying this user — a designer buying their own collaboration while others buy it
  // would otherwise deadlock (user lock → chip lock here, chip lock → user key-share there).
  const buyer = await manager.createQueryBuilder(User, 'u').setLock('for_no_key_update')
    .where('u.id = :id', { id: request.buyerId }).getOne();
  if (!buyer) return { kind: 'not_found' };
  const earlier = await loadOrder(manager, request.buyerId, request.idempotencyKey, quantity);
  if (earlier) return { kind: 'bought', order: earlier };

  const chip = await manager.createQueryBuilder(Chip, 'c').setLock('for_no_key_update')
    .where('c.id = :id', { id: request.chipId }).getOne();
  if (!chip) return { kind: 'not_found' };
  // Checked under the chip's lock: the price charged is the price agreed, or nothing is charged.
  if (request.agreedPrice !== undefined && chip.priceCredits !== request.agreedPrice) {
    return { kind: 'price_changed', chipName: chip.name, priceCredits: chip.priceCredits, agreedPrice: request.agreedPrice };
  }
  if (chip.editionSize !== null) {
    const left = chip.editionSize - chip.editionsSold;
    if (left <= 0) return { kind: 'sold_out', chipName: chip.name };
    if (left < quantity) return { kind: 'not_enough_left', chipName: chip.name, left };
  }
  if (request.maxPrice != null && chip.priceCredits > request.maxPrice) {
    return { kind: 'over_cap', chipName: chip.name, priceCredits: chip.priceCredits, maxPrice: request.maxPrice };
  }
  const total = chip.priceCredits * quantity;
  const balance = await balanceOf(manager, request.buyerId);
  if (balance < total) return { kind: 'insufficient_credits', chipName: chip.name, priceCredits: total, balance };

  const listed = await manager.find(ChipCollaborator, { where: { chipId: chip.id }, order: { designerId: 'ASC' } });
  const split = splitRoyalties(chip.priceCredits, request.platformFeeBps, payableShares(chip.designerId, listed));
  const designer = await manager.findOneBy(DesignerProfile, { userId: chip.designerId });
  const sales: Sale[] = [];
  for (let i = 1; i <= quantity; i += 1) {
    const inserted = await manager.createQueryBuilder().insert().into(Purchase)
      .values({
        buyerId: request.buyerId, chipId: chip.id, priceCredits: chip.priceCredits,
        platformFeeCredits: split.fee, kind: request.kind ?? 'purchase', idempotencyKey: editionKey(request.idempotencyKey, i),
      })
      .orIgnore()
      .returning(['id'])
      .execute();
    const purchaseId = (inserted.raw as { id: string }[])[0]?.id;
    if (!purchaseId) {
      // Another transaction committed the same key first (the buyer lock makes this rare): answer with its order.
      if (i === 1) {
        const winner = await loadOrder(manager, request.buyerId, request.idempotencyKey, quantity);
        if (winner) return { kind: 'bought', order: winner };
      }
      throw new Error('purchase idempotency conflict without a committed sale');
    }
    const editionNumber = chip.editionsSold + i;
    await manager.insert(Edition, { chipId: chip.id, editionNumber, ownerId: request.buyerId, purchaseId });
    await manager.insert(RoyaltyPayout, split.payouts.map((p) => ({ transactionId: purchaseId, designerId: p.designerId, amountCredits: p.amount, shareBps: p.shareBps })));
    await postTransfer(manager, [
      { userId: request.buyerId, amount: -chip.priceCredits },
      ...split.payouts.map((p) => ({ userId: p.designerId, amount: p.amount })),
      { systemAccount: 'platform_fees' as const, amount: split.fee },
    ], request.kind === 'auto_buy' ? 'auto_buy' : 'purchase', purchaseId);
    sales.push({
      purchaseId, chipId: chip.id, chipName: chip.name, designerName: designer?.displayName ?? '', editionNumber,
      priceCredits: chip.priceCredits, platformFeeCredits: split.fee,
      payouts: split.payouts.map((p) => ({ designerId: p.designerId, amount: p.amount })),
      balanceAfter: balance - chip.priceCredits * i, notifications: [], isReplay: false,
    });
  }
  await manager.update(Chip, { id: chip.id }, { editionsSold: chip.editionsSold + quantity });

  const numbers = sales.map((s) => s.editionNumber);
  const text = quantity === 1
    ? `${buyer.username} bought ${chip.name} #${numbers[0]}`
    : `${buyer.username} bought ${quantity} editions of ${chip.name}, #${numbers[0]} to #${numbers.at(-1)}`;
  const notifications = await writeNotifications(manager, split.payouts.map((p) => ({
    userId: p.designerId, kind: 'sale', text,
    data: quantity === 1
      ? { purchaseId: sales[0]!.purchaseId, chipId: chip.id, chipName: chip.name, editionNumber: numbers[0], buyer: buyer.username, amountCredits: p.amount }
      : { purchaseIds: sales.map((s) => s.purchaseId), chipId: chip.id, chipName: chip.name, editionNumbers: numbers, buyer: buyer.username, amountCredits: p.amount * quantity },
  })));
  if (quantity === 1) sales[0] = { ...sales[0]!, notifications };
  // A purchase says something about taste (what the client said outright is kept).
  await learnPreferences(manager, request.buyerId, chip.tags, true, 'purchase');
  return {
    kind: 'bought',
    order: {
      chipId: chip.id, chipName: chip.name, designerName: designer?.displayName ?? '', quantity, unitPriceCredits: chip.priceCredits,
      totalCredits: total, editionNumbers: numbers, sales, balanceAfter: balance - total, notifications, isReplay: false,
    },
  };
}

/**
 * The shares paid on a sale: an invited collaborator who has not accepted yet is paid nothing;
 * their share goes to the publisher (the shares still sum to 10 000).
 */
export function payableShares(publisherId: string, listed: readonly Pick<ChipCollaborator, 'designerId' | 'shareBps' | 'acceptedAt'>[]): RoyaltyShare[] {
  const pending = listed.filter((s) => s.acceptedAt === null && s.designerId !== publisherId).reduce((sum, s) => sum + s.shareBps, 0);
  return listed
    .filter((s) => s.acceptedAt !== null || s.designerId === publisherId)
    .map((s) => ({ designerId: s.designerId, shareBps: s.designerId === publisherId ? s.shareBps + pending : s.shareBps }));
}

/** The order an idempotency key already produced (all its editions), as a replay; null when none. */
async function loadOrder(manager: EntityManager, buyerId: string, idempotencyKey: string, quantity: number): Promise<Order | null> {
  const sales: Sale[] = [];
  for (let i = 1; i <= quantity; i += 1) {
    const sale = await loadSale(manager, buyerId, editionKey(idempotencyKey, i));
    if (!sale) break;
    sales.push(sale);
  }
  const first = sales[0];
  if (!first) return null;
  const totalCredits = sales.reduce((sum, s) => sum + s.priceCredits, 0);
  return {
    chipId: first.chipId, chipName: first.chipName, designerName: first.designerName, quantity: sales.length,
    unitPriceCredits: first.priceCredits, totalCredits, editionNumbers: sales.map((s) => s.editionNumber), sales,
    balanceAfter: first.balanceAfter, notifications: [], isReplay: true,
  };
}

/** The sale an idempotency key already produced, as a replay (no notifications to push again). */
async function loadSale(manager: EntityManager, buyerId: string, idempotencyKey: string): Promise<Sale | null> {
  const purchase = await manager.findOneBy(Purchase, { buyerId, idempotencyKey });
  if (!purchase) return null;
  const chip = await manager.findOneByOrFail(Chip, { id: purchase.chipId });
  const edition = await manager.findOneByOrFail(Edition, { purchaseId: purchase.id });
  const payouts = await manager.find(RoyaltyPayout, { where: { transactionId: purchase.id }, order: { designerId: 'ASC' } });
  const designer = await manager.findOneBy(DesignerProfile, { userId: chip.designerId });
  return {
    purchaseId: purchase.id,
    chipId: chip.id,
    chipName: chip.name,
    designerName: designer?.displayName ?? '',
    editionNumber: edition.editionNumber,
    priceCredits: purchase.priceCredits,
    platformFeeCredits: purchase.platformFeeCredits,
    payouts: payouts.map((p) => ({ designerId: p.designerId, amount: p.amountCredits })),
    balanceAfter: await balanceOf(manager, buyerId),
    notifications: [],
    isReplay: true,
  };
}
