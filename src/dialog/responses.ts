import type { ChipSummary, CommandRecord, NotificationView, Period, Sale, SalesSummary, SubscriptionView } from '../marketplace/index.js';
import type { PostView, RecommendReason, Recommendation, ReviewsSummary } from '../marketplace/index.js';
import { cardinal, join, list, say, type Spoken } from './ssml.js';

/**
 * Every sentence the assistant says. Written to be heard: short, natural, numbers as cardinals.
 */

const credits = (n: number): Spoken => say`${n} ${n === 1 ? 'credit' : 'credits'}`;
const chips = (n: number): Spoken => say`${n} ${n === 1 ? 'chip' : 'chips'}`;

const PERIOD_NAMES: Record<Period, string> = {
  today: 'Today', yesterday: 'Yesterday', this_week: 'This week', last_week: 'Last week',
  this_month: 'This month', last_month: 'Last month', this_year: 'This year', all_time: 'So far',
};

export const Responses = {
  // understanding
  notUnderstood: () => say`Sorry, I didn't catch that. Could you say it again?`,
  cannotDoThat: () => say`Sorry, I can't do that yet. Say help to hear what I can do.`,
  error: () => say`Sorry, something went wrong. Please try again.`,
  help: () => say`You can say things like: what's new, find neon chips under 30 credits, buy Neon Dragon, subscribe to Nova, turn on auto buy for Nova, what's my balance, read my notifications, or how were my sales this week.`,

  // asking for what is missing
  askDesigner: () => say`Which designer?`,
  askChip: () => say`Which chip?`,
  askRating: (designer: string) => say`How many stars, from one to five, would you give ${designer}?`,
  askFavorite: () => say`Who is your favorite designer?`,
  askAgain: (question: Spoken) => join([say`Sorry, I didn't get that.`, question]),
  unknownDesigner: (name: string) => say`I don't know a designer called ${name}.`,
  unknownChip: (name: string) => say`I don't know a chip called ${name}.`,
  designersOnly: () => say`Sales summaries are for designers. You can ask for your balance or your command history instead.`,

  // confirmation
  confirmBuy: (chip: string, designer: string, price: number) => say`Buy ${chip} by ${designer} for ${credits(price)}? Say yes to confirm.`,
  confirmAutoBuy: (designer: string, maxPrice: number | null) => maxPrice === null
    ? say`Automatically buy every new chip from ${designer}? Say yes to confirm.`
    : say`Automatically buy new chips from ${designer} up to ${credits(maxPrice)}? Say yes to confirm.`,
  confirmReprompt: (question: Spoken) => join([say`Please say yes or no.`, question]),
  /** The one re-ask after an unclear answer to a question that spends credits. */
  sayYesToBuy: (chip: string, price: number) => say`Say yes to buy ${chip} for ${credits(price)}, or no to cancel.`,
  sayYesToAutoBuy: (designer: string, maxPrice: number | null) => maxPrice === null
    ? say`Say yes to automatically buy every new chip from ${designer}, or no to cancel.`
    : say`Say yes to automatically buy new chips from ${designer} up to ${credits(maxPrice)}, or no to cancel.`,
  /** Unclear again after the re-ask: the question stays open, unread, until it expires. */
  stillWaiting: () => say`Sorry, I didn't catch that.`,
  cancelled: (intent: string) => intent === 'BuyChip' ? say`Okay, I won't buy it.`
    : intent === 'PostToGroup' ? say`Okay, I won't post it.`
    : intent === 'SetAutoBuy' ? say`Okay, I won't turn on auto buy.` : say`Okay, cancelled.`,
  nothingPending: () => say`Okay.`,
  nothingToConfirm: () => say`There's nothing to confirm right now.`,
  expired: () => say`That request expired. Please ask again.`,

  // favorites
  offerRememberFavorite: (designer: string) => say`Should I remember ${designer} as your favorite designer?`,
  favoriteSet: (designer: string) => say`Okay, ${designer} is your favorite designer.`,
  favoriteNotSet: () => say`Okay, I won't remember that.`,

  // purchases
  bought: (sale: Sale) => say`Done. You bought ${sale.chipName} number ${sale.editionNumber} for ${credits(sale.priceCredits)}. You have ${credits(sale.balanceAfter)} left.`,
  insufficientCredits: (chip: string, price: number, balance: number) => say`${chip} costs ${credits(price)}, but you have only ${credits(balance)}.`,
  soldOut: (chip: string) => say`Sorry, ${chip} is sold out.`,
  priceChanged: (chip: string, agreed: number, now: number) => say`The price of ${chip} changed from ${credits(agreed)} to ${credits(now)}, so I didn't buy it. Ask again to buy it at the new price.`,
  noLongerForSale: (chip: string) => say`${chip} is no longer for sale, so I didn't buy it.`,

  // subscriptions
  subscribed: (designer: string) => say`You're now subscribed to ${designer}.`,
  alreadySubscribed: (designer: string) => say`You're already subscribed to ${designer}.`,
  unsubscribed: (designer: string) => say`You're no longer subscribed to ${designer}.`,
  notSubscribed: (designer: string) => say`You weren't subscribed to ${designer}.`,
  noSubscriptions: () => say`You aren't subscribed to anyone yet. Try: subscribe to Nova.`,
  subscriptions: (subs: readonly SubscriptionView[]) => {
    const names = subs.map((s) => s.autoBuy
      ? s.maxPrice === null ? say`${s.designerName} with auto buy` : say`${s.designerName} with auto buy up to ${credits(s.maxPrice)}`
      : say`${s.designerName}`);
    return say`You're subscribed to ${list(names)}.`;
  },
  autoBuyOn: (designer: string, maxPrice: number | null, subscribed: boolean) => join([
    maxPrice === null ? say`Auto buy is on for ${designer}.` : say`Auto buy is on for ${designer}, up to ${credits(maxPrice)}.`,
    ...(subscribed ? [say`I subscribed you too.`] : []),
  ]),
  autoBuyOff: (designer: string) => say`Auto buy is off for ${designer}.`,
  autoBuyWasOff: (designer: string) => say`Auto buy wasn't on for ${designer}.`,

  // catalog
  noChipsFound: () => say`I couldn't find any chips like that.`,
  chipsFound: (found: readonly ChipSummary[], total: number) => join([
    total > found.length ? say`I found ${chips(total)}. Here are the top ${found.length}:` : say`I found ${chips(total)}:`,
    say`${list(found.map(chipLine))}.`,
  ]),
  nothingNew: (designer?: string) => designer ? say`Nothing new from ${designer} since you last asked.` : say`Nothing new since you last asked.`,
  whatsNew: (found: readonly ChipSummary[], total: number) => join([
    total === 1 ? say`There's one new chip:` : say`There are ${total} new chips:`,
    say`${list(found.map(chipLine))}.`,
  ]),

  balance: (balance: number) => say`You have ${credits(balance)}.`,

  // ratings
  rated: (designer: string, rating: number, previous: number | null) => previous === null
    ? say`Thanks. You gave ${designer} ${rating} ${rating === 1 ? 'star' : 'stars'}.`
    : say`Thanks. I changed your rating of ${designer} to ${rating} ${rating === 1 ? 'star' : 'stars'}.`,
  cannotRateSelf: () => say`You can't rate yourself.`,
  invalidRating: () => say`Ratings go from one to five stars.`,

  // notifications
  noNotifications: () => say`You have no new notifications.`,
  notifications: (items: readonly NotificationView[], remaining: number) => join([
    items.length === 1 ? say`You have one new notification.` : say`You have ${items.length} new notifications.`,
    ...items.map((n) => say`${n.text}.`),
    ...(remaining > 0 ? [say`And ${remaining} more.`] : []),
  ]),

  // designers
  salesSummary: (s: SalesSummary) => {
    const when = PERIOD_NAMES[s.period];
    if (s.units === 0) return say`${when} you haven't sold any chips yet.${s.newSubscribers > 0 ? say` You got ${subscribers(s.newSubscribers)}.` : ''}`;
    const change = s.changePercent === null || s.period === 'all_time' ? say``
      : s.changePercent === 0 ? say`, the same as before`
        : s.changePercent > 0 ? say`, up ${s.changePercent} percent` : say`, down ${-s.changePercent} percent`;
    return join([
      say`${when} you sold ${chips(s.units)} for ${credits(s.revenue)}${change}.`,
      ...(s.topChip ? [say`${s.topChip.name} was your best seller.`] : []),
      ...(s.newSubscribers > 0 ? [say`You got ${subscribers(s.newSubscribers)}.`] : []),
    ]);
  },

  // history
  noHistory: () => say`You haven't given any commands yet.`,
  // --- reviews, preferences and groups ---
  askReview: (designer: string) => say`What would you like to say about ${designer}?`,
  askMessage: (group: string) => say`What should I post to ${group}?`,
  askGroup: () => say`Which group?`,
  askTag: () => say`Which kind of chips? For example neon or floral.`,
  unknownGroup: (name: string) => say`I don't know a group called ${name}.`,

  reviewWritten: (designer: string, rating: number | null, replaced: boolean) => join([
    replaced ? say`Thanks. I replaced your review of ${designer}.` : say`Thanks. Your review of ${designer} is posted.`,
    ...(rating === null ? [] : [say`You gave ${stars(rating)}.`]),
  ]),
  reviewEmpty: () => say`Your review was empty, so I didn't post it.`,
  reviewTooLong: (max: number) => say`That review is too long. Please keep it under ${max} characters.`,
  cannotReviewSelf: () => say`You can't review yourself.`,
  reviews: (r: ReviewsSummary) => {
    const average = r.average === null ? say`${r.designer.name} has no star ratings yet.`
      : say`${r.designer.name} has an average of ${r.average} stars from ${r.ratingCount} ${r.ratingCount === 1 ? 'rating' : 'ratings'}.`;
    if (r.reviews.length === 0) return join([average, say`Nobody has written a review yet.`]);
    return join([
      average,
      r.reviews.length === 1 ? say`The latest review:` : say`The latest ${r.reviews.length} reviews:`,
      ...r.reviews.map((v) => (v.rating === null ? say`${v.author} said: ${sentence(v.text)}` : say`${v.author}, ${stars(v.rating)}: ${sentence(v.text)}`)),
    ]);
  },

  preferenceSet: (tag: string, liked: boolean, changed: boolean) => !changed
    ? liked ? say`I already know you like ${tag}.` : say`I already know ${tag} isn't for you.`
    : liked ? say`Got it, you like ${tag}. I'll recommend more of it.` : say`Got it, ${tag} isn't for you. I won't recommend it.`,
  noRecommendations: () => say`I have nothing to recommend right now that you can afford and don't own yet.`,
  recommendations: (found: readonly Recommendation[]) => join([
    found.length === 1 ? say`I'd suggest one chip:` : say`I'd suggest ${found.length} chips:`,
    ...found.map((c) => say`${c.name} by ${c.designerName} for ${credits(c.priceCredits)}, ${reasonPhrase(c.reason)}.`),
  ]),

  joinedGroup: (group: string, joined: boolean) => joined ? say`You joined ${group}. You'll hear about new posts there.` : say`You're already in ${group}.`,
  leftGroup: (group: string, left: boolean) => left ? say`You left ${group}.` : say`You weren't in ${group}.`,
  noGroups: () => say`You're not in any group yet. Try: join Neon Nights.`,
  noPosts: (group?: string) => group ? say`There are no posts in ${group} yet.` : say`There are no posts in your groups yet.`,
  groupNews: (posts: readonly PostView[], group?: string) => join([
    group ? say`The latest in ${group}:` : say`The latest in your groups:`,
    ...posts.map((p) => (group ? say`${p.author} said: ${sentence(p.text)}` : say`${p.author} in ${p.groupName} said: ${sentence(p.text)}`)),
  ]),
  confirmPost: (group: string, message: string) => say`Post to ${group}: ${sentence(message)} Say yes to publish it.`,
  sayYesToPost: (group: string) => say`Say yes to post it to ${group}, or no to cancel.`,
  posted: (group: string) => say`Posted to ${group}.`,
  notMember: (group: string) => say`You need to join ${group} before you post there. Say: join ${group}.`,
  postEmpty: () => say`The message was empty, so I didn't post it.`,
  postTooLong: (max: number) => say`That message is too long. Please keep it under ${max} characters.`,
  postRateLimited: (retryAfterS: number) => say`You've posted a lot just now. Please try again in ${Math.ceil(retryAfterS / 60)} ${Math.ceil(retryAfterS / 60) === 1 ? 'minute' : 'minutes'}.`,
  // --- end reviews, preferences and groups ---

  history: (records: readonly CommandRecord[]) => join([
    records.length === 1 ? say`Your last command was:` : say`Your last ${records.length} commands were:`,
    say`${list(records.map((r) => say`${r.transcript}`))}.`,
  ]),
};

function chipLine(c: ChipSummary): Spoken {
  return c.isSoldOut ? say`${c.name} by ${c.designerName}, sold out` : say`${c.name} by ${c.designerName} for ${credits(c.priceCredits)}`;
}

function subscribers(n: number): Spoken {
  return n === 1 ? say`one new subscriber` : say`${cardinal(n)} new subscribers`;
}

// --- reviews, preferences and groups ---
function stars(n: number): Spoken {
  return say`${n} ${n === 1 ? 'star' : 'stars'}`;
}

/** Someone's words as a sentence of their own: a full stop added when they gave none. */
function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

function reasonPhrase(reason: RecommendReason): Spoken {
  switch (reason.kind) {
    case 'liked_tag': return say`because you like ${reason.tag}`;
    case 'subscribed': return say`because you follow ${reason.designer}`;
    case 'co_purchase': return say`because collectors who own ${reason.chip} bought it too`;
    case 'asked': return reason.tag !== null ? say`since you asked for ${reason.tag}` : say`since you asked for ${reason.designer ?? 'it'}`;
    case 'popular': return say`because it's selling well`;
    case 'affordable': return say`because it's still available and in your budget`;
  }
}
// --- end reviews, preferences and groups ---
