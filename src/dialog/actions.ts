import type { EntityManager } from 'typeorm';
import type { CommandOutcome } from '../contracts.js';
import type { Principal } from '../auth/tokens.js';
import {
  balanceOf, bestSellers, buyEditions, listSubscribers, disableAutoBuy, enableAutoBuy, isPeriod, listCommands, listSubscriptions, periodRange,
  chipProfile, collectionOf, designerProfile, earningsOf, verifyChip,
  rateDesigner, readNotifications, salesSummary, searchChips, setFavoriteDesigner, subscribe, unsubscribe, whatsNew,
  type ChipRef, type DesignerRef,
} from '../marketplace/index.js';
import {
  listPosts, myGroups, joinGroup, leaveGroup, postToGroup, readReviews, recommend, setPreference, writeReview, SPOKEN_POSTS, type GroupRef,
} from '../marketplace/index.js';
import type { IntentName, RequiredSlot } from './intents.js';
import { Responses } from './responses.js';
import type { Spoken } from './ssml.js';

/** A chip to buy: its id and the price the buyer agreed to (read back and confirmed). */
export type AgreedChip = Pick<ChipRef, 'id' | 'name' | 'priceCredits'>;

/** The slots of an intent after resolution against the database. */
export interface ResolvedSlots {
  readonly designer?: DesignerRef;
  readonly chip?: AgreedChip;
  readonly tag?: string;
  /** A word of chip names to search for. */
  readonly name?: string;
  readonly maxPrice?: number;
  readonly rating?: number;
  readonly count?: number;
  /** Editions to buy (BuyChip); 1 when not said. */
  readonly quantity?: number;
  /** An edition number (VerifyChip). */
  readonly edition?: number;
  readonly period?: string;
  readonly enabled?: boolean;
  // reviews, preferences and groups
  readonly group?: GroupRef;
  readonly liked?: boolean;
  /** A review or a group post, as said. */
  readonly review?: string;
  readonly message?: string;
}

/** The slots of intent `I` once the dialog has checked them: those the intent table requires are there. */
export type SlotsOf<I extends IntentName, S extends ResolvedSlots = ResolvedSlots> = S & { readonly [K in RequiredSlot<I>]-?: NonNullable<S[K]> };

/** A command ready to run: switching on `intent` gives each case its own slots. */
export type Command<S extends ResolvedSlots = ResolvedSlots> = { readonly [I in IntentName]: { readonly intent: I; readonly slots: SlotsOf<I, S> } }[IntentName];

export interface ActionContext {
  readonly manager: EntityManager;
  readonly principal: Principal;
  readonly platformFeeBps: number;
  /** Purchase idempotency key (the command that started the purchase). */
  readonly idempotencyKey: string;
  readonly now: Date;
}

export interface ActionResult {
  readonly spoken: Spoken;
  readonly outcome: CommandOutcome;
  readonly data?: unknown;
  /** Notifications written in this transaction, to push to their users after commit. */
  readonly notifications?: readonly { readonly id: string; readonly userId: string; readonly text: string }[];
}

const ok = (spoken: Spoken, data?: unknown): ActionResult => ({ spoken, outcome: 'ok', ...(data === undefined ? {} : { data }) });
const rejected = (spoken: Spoken, data?: unknown): ActionResult => ({ spoken, outcome: 'rejected', ...(data === undefined ? {} : { data }) });

/** Runs one understood, complete and (when needed) confirmed command. */
export async function runAction(ctx: ActionContext, command: Command): Promise<ActionResult> {
  const { manager, principal } = ctx;
  const { intent, slots } = command;
  const me = principal.userId;
  switch (intent) {
    case 'SubscribeDesigner': {
      const { created } = await subscribe(manager, me, slots.designer);
      return ok(created ? Responses.subscribed(slots.designer.name) : Responses.alreadySubscribed(slots.designer.name), { designer: slots.designer });
    }
    case 'UnsubscribeDesigner': {
      const { removed } = await unsubscribe(manager, me, slots.designer);
      return ok(removed ? Responses.unsubscribed(slots.designer.name) : Responses.notSubscribed(slots.designer.name), { designer: slots.designer });
    }
    case 'ListSubscriptions': {
      const subscriptions = await listSubscriptions(manager, me);
      return ok(subscriptions.length === 0 ? Responses.noSubscriptions() : Responses.subscriptions(subscriptions), { subscriptions });
    }
    case 'SetFavoriteDesigner':
      await setFavoriteDesigner(manager, me, slots.designer.id);
      return ok(Responses.favoriteSet(slots.designer.name), { favoriteDesigner: slots.designer });
    case 'SetAutoBuy': {
      if (slots.enabled === false) {
        const { changed } = await disableAutoBuy(manager, me, slots.designer);
        return ok(changed ? Responses.autoBuyOff(slots.designer.name) : Responses.autoBuyWasOff(slots.designer.name), { designer: slots.designer, autoBuy: false });
      }
      const maxPrice = slots.maxPrice ?? null;
      const { subscribed } = await enableAutoBuy(manager, me, slots.designer, maxPrice);
      return ok(Responses.autoBuyOn(slots.designer.name, maxPrice, subscribed), { designer: slots.designer, autoBuy: true, maxPrice });
    }
    case 'SearchChips': {
      const found = await searchChips(manager, { designerId: slots.designer?.id, tag: slots.tag, maxPrice: slots.maxPrice, nameWord: slots.name });
      return ok(found.total === 0 ? Responses.noChipsFound() : Responses.chipsFound(found.chips, found.total), found);
    }
    case 'WhatsNew': {
      const found = await whatsNew(manager, me, { designerId: slots.designer?.id });
      const data = { chips: found.chips, total: found.total, since: found.since.toISOString() };
      return ok(found.total === 0 ? Responses.nothingNew(slots.designer?.name) : Responses.whatsNew(found.chips, found.total), data);
    }
    case 'BuyChip': {
      const quantity = slots.quantity ?? 1;
      const result = await buyEditions(manager, {
        buyerId: me, chipId: slots.chip.id, agreedPrice: slots.chip.priceCredits, idempotencyKey: ctx.idempotencyKey, platformFeeBps: ctx.platformFeeBps, quantity,
      });
      switch (result.kind) {
        case 'bought': {
          const { order } = result;
          if (order.quantity === 1) {
            const [sale] = order.sales;
            const data = { purchaseId: sale.purchaseId, chip: { id: sale.chipId, name: sale.chipName }, editionNumber: sale.editionNumber, priceCredits: sale.priceCredits, balance: order.balanceAfter };
            return { spoken: Responses.bought({ ...sale, balanceAfter: order.balanceAfter }), outcome: 'ok', data, notifications: order.notifications };
          }
          const data = {
            purchaseIds: order.sales.map((s) => s.purchaseId), chip: { id: order.chipId, name: order.chipName }, quantity: order.quantity,
            editionNumbers: order.editionNumbers, priceCredits: order.unitPriceCredits, totalCredits: order.totalCredits, balance: order.balanceAfter,
          };
          return { spoken: Responses.boughtMany(order), outcome: 'ok', data, notifications: order.notifications };
        }
        case 'insufficient_credits':
          return rejected(Responses.insufficientCredits(result.chipName, result.priceCredits, result.balance, quantity), { reason: 'insufficient_credits', priceCredits: result.priceCredits, balance: result.balance });
        case 'sold_out':
          return rejected(Responses.soldOut(result.chipName), { reason: 'sold_out' });
        case 'not_enough_left':
          return rejected(Responses.notEnoughLeft(result.chipName, result.left), { reason: 'not_enough_left', left: result.left });
        case 'invalid_quantity':
          return rejected(Responses.quantityOutOfRange(result.max), { reason: 'invalid_quantity' });
        case 'price_changed':
          return rejected(Responses.priceChanged(result.chipName, result.agreedPrice, result.priceCredits), { reason: 'price_changed', priceCredits: result.priceCredits, agreedPrice: result.agreedPrice });
        case 'over_cap':
        case 'not_found':
          return rejected(Responses.noLongerForSale(slots.chip.name), { reason: result.kind });
      }
      break;
    }
    case 'CheckBalance': {
      const balance = await balanceOf(manager, me);
      return ok(Responses.balance(balance), { balance });
    }
    case 'SalesSummary': {
      const period = isPeriod(slots.period) ? slots.period : 'this_week';
      const summary = await salesSummary(manager, me, period, ctx.now);
      return ok(Responses.salesSummary(summary), summary);
    }
    case 'RateDesigner': {
      const result = await rateDesigner(manager, me, slots.designer, slots.rating);
      if (result.kind === 'own_profile') return rejected(Responses.cannotRateSelf());
      if (result.kind === 'invalid_rating') return rejected(Responses.invalidRating());
      return ok(Responses.rated(slots.designer.name, result.rating, result.previous), { designer: slots.designer, rating: result.rating, average: result.average, count: result.count });
    }
    case 'CommandHistory': {
      const range = isPeriod(slots.period) ? periodRange(slots.period, ctx.now) : null;
      const limit = Math.min(Math.max(slots.count ?? 5, 1), 20);
      const page = await listCommands(manager, { userId: me, limit, ...(range?.from ? { from: range.from } : {}), ...(range ? { to: range.to } : {}) });
      return ok(page.items.length === 0 ? Responses.noHistory() : Responses.history(page.items), { commands: page.items });
    }
    case 'ReadNotifications': {
      const { items, remaining } = await readNotifications(manager, me);
      return ok(items.length === 0 ? Responses.noNotifications() : Responses.notifications(items, remaining), { notifications: items, remaining });
    }
    case 'MySubscribers': {
      const { total, newest } = await listSubscribers(manager, me);
      return ok(Responses.subscribers(total, newest), { total, newest });
    }
    case 'BestSellers': {
      const top = await bestSellers(manager, me);
      return ok(Responses.bestSellers(top), { bestSellers: top });
    }
    // collections, profiles, verification, earnings
    case 'MyCollection': {
      const collection = await collectionOf(manager, me, { designerId: slots.designer?.id });
      return ok(Responses.collection(collection, slots.designer?.name), { ...collection, ...(slots.designer ? { designer: slots.designer } : {}) });
    }
    case 'ChipInfo': {
      const profile = await chipProfile(manager, slots.chip.id);
      return profile ? ok(Responses.chipInfo(profile), { chip: profile }) : rejected(Responses.unknownChip(slots.chip.name));
    }
    case 'DesignerInfo': {
      const profile = await designerProfile(manager, slots.designer.name);
      return profile ? ok(Responses.designerInfo(profile), { designer: profile }) : rejected(Responses.unknownDesigner(slots.designer.name));
    }
    case 'VerifyChip': {
      const verification = await verifyChip(manager, { userId: me, role: principal.role }, slots.chip.id, slots.edition);
      return verification ? ok(Responses.verification(verification), { verification }) : rejected(Responses.unknownChip(slots.chip.name));
    }
    case 'Earnings': {
      const earnings = await earningsOf(manager, me, isPeriod(slots.period) ? slots.period : 'all_time', ctx.now);
      return ok(Responses.earnings(earnings), earnings);
    }

    // --- reviews, preferences and groups ---
    case 'WriteReview': {
      const result = await writeReview(manager, { clientId: me, designer: slots.designer, text: slots.review, ...(slots.rating === undefined ? {} : { rating: slots.rating }) });
      switch (result.kind) {
        case 'written': {
          const data = { designer: slots.designer, rating: result.rating, average: result.average, count: result.count, replaced: result.replaced };
          return { spoken: Responses.reviewWritten(slots.designer.name, result.rating, result.replaced), outcome: 'ok', data, notifications: result.notifications };
        }
        case 'own_profile': return rejected(Responses.cannotReviewSelf());
        case 'invalid_rating': return rejected(Responses.invalidRating());
        case 'empty': return rejected(Responses.reviewEmpty());
        case 'too_long': return rejected(Responses.reviewTooLong(result.max));
      }
      break;
    }
    case 'ReadReviews': {
      const summary = await readReviews(manager, slots.designer);
      return ok(Responses.reviews(summary), summary);
    }
    case 'SetPreference': {
      const liked = slots.liked !== false;
      const { changed } = await setPreference(manager, me, slots.tag, liked, ctx.now);
      return ok(Responses.preferenceSet(slots.tag, liked, changed), { tag: slots.tag, liked });
    }
    case 'Recommend': {
      const found = await recommend(manager, me, { tag: slots.tag, maxPrice: slots.maxPrice, designerId: slots.designer?.id }, ctx.now);
      return ok(found.chips.length === 0 ? Responses.noRecommendations() : Responses.recommendations(found.chips), found);
    }
    case 'JoinGroup': {
      const { joined } = await joinGroup(manager, me, slots.group);
      return ok(Responses.joinedGroup(slots.group.name, joined), { group: slots.group, member: true });
    }
    case 'LeaveGroup': {
      const { left } = await leaveGroup(manager, me, slots.group);
      return ok(Responses.leftGroup(slots.group.name, left), { group: slots.group, member: false });
    }
    case 'GroupNews': {
      const groups = slots.group ? [slots.group] : await myGroups(manager, me);
      if (groups.length === 0) return ok(Responses.noGroups(), { posts: [] });
      const posts = await listPosts(manager, groups.map((g) => g.id), { limit: SPOKEN_POSTS });
      return ok(posts.length === 0 ? Responses.noPosts(slots.group?.name) : Responses.groupNews(posts, slots.group?.name), { posts });
    }
    case 'PostToGroup': {
      const result = await postToGroup(manager, { authorId: me, group: slots.group, text: slots.message, now: ctx.now });
      switch (result.kind) {
        case 'posted': return { spoken: Responses.posted(slots.group.name), outcome: 'ok', data: { post: result.post }, notifications: result.notifications };
        case 'not_member': return rejected(Responses.notMember(slots.group.name));
        case 'empty': return rejected(Responses.postEmpty());
        case 'too_long': return rejected(Responses.postTooLong(result.max));
        case 'rate_limited': return rejected(Responses.postRateLimited(result.retryAfterS), { reason: 'rate_limited', retryAfterS: result.retryAfterS });
        case 'parent_not_found': return rejected(Responses.cannotDoThat());
      }
      break;
    }
    // --- end reviews, preferences and groups ---
    case 'Help':
    case 'FollowUp':
      // Answered by the dialog, which knows the role, the catalog and what is pending.
      break;
    case 'Confirm':
      return rejected(Responses.nothingToConfirm());
    case 'Deny':
    case 'Cancel':
      return ok(Responses.nothingPending());
  }
  return rejected(Responses.cannotDoThat());
}
