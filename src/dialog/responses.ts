import type { ChipSummary, CommandRecord, NotificationView, Period, Sale, SalesSummary, SubscriptionView } from '../marketplace/index.js';
import type { ChipProfile, CollectionView, DesignerProfileView, Earnings, Order, Verification } from '../marketplace/index.js';
import type { PostView, RecommendReason, Recommendation, ReviewsSummary } from '../marketplace/index.js';
import { cardinal, join, list, say, type Spoken } from './ssml.js';

/**
 * Every sentence the assistant says. Written to be heard: short, natural, numbers as cardinals.
 */

const credits = (n: number): Spoken => say`${n} ${n === 1 ? 'credit' : 'credits'}`;
/** Chips named one by one in a spoken collection or designer profile (the rest are counted). */
const SPOKEN_COLLECTION_CHIPS = 5;
const SPOKEN_PROFILE_CHIPS = 3;
const PAST_PERIODS: ReadonlySet<Period> = new Set(['yesterday', 'last_week', 'last_month']);
/** A share in basis points as whole (or one-decimal) percent: 3333 → 33.3. */
const percent = (bps: number): Spoken => say`${String(Math.round(bps / 10) / 10)}`;
const editions = (n: number): Spoken => say`${n} ${n === 1 ? 'edition' : 'editions'}`;
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
  /** "Did you mean" with the commands the engine nearly understood. */
  notUnderstoodSuggest: (examples: readonly string[]) => say`Sorry, I didn't catch that. Did you mean: ${examples.join(', or ')}?`,
  help: (examples: readonly string[], community: readonly string[] = []) => join([
    say`You can say things like: ${list(examples.map((e) => say`${e}`))}.`,
    ...(community.length === 0 ? [] : [say`With other collectors and designers: ${list(community.map((e) => say`${e}`))}.`]),
  ]),
  /** Help while a question is open: how to answer it. */
  helpConfirm: (question: Spoken) => join([say`I'm waiting for your answer:`, question, say`Say yes to go ahead, no or cancel to drop it, or ask something else first, like your balance.`]),
  helpSlot: (question: Spoken) => join([say`I'm waiting for your answer:`, question, say`Say just the name, or cancel to drop it.`]),
  /** Help while the words of a review or a post are awaited. */
  helpFreeText: (question: Spoken) => join([say`I'm waiting for your answer:`, question, say`Say the words you want, or cancel to drop it.`]),
  followUpAlone: () => say`Sorry, I'm not sure what that follows. Please say the whole command, for example: find neon chips by Nova.`,

  // asking for what is missing
  askDesigner: () => say`Which designer?`,
  askChip: () => say`Which chip?`,
  askChipToBuy: () => say`Which chip would you like to buy?`,
  askDesignerToSubscribe: () => say`Which designer would you like to subscribe to?`,
  askDesignerToUnsubscribe: () => say`Which designer would you like to unsubscribe from?`,
  askDesignerToRate: () => say`Which designer would you like to rate?`,
  askDesignerAutoBuyOn: () => say`Which designer should I automatically buy new chips from?`,
  askDesignerAutoBuyOff: () => say`Which designer should I stop auto buying from?`,
  askDesignerToReview: () => say`Which designer would you like to review?`,
  askDesignerReviews: () => say`Whose reviews would you like to hear?`,
  askGroupToJoin: () => say`Which group would you like to join?`,
  askGroupToLeave: () => say`Which group would you like to leave?`,
  askGroupToPost: () => say`Which group should I post to?`,
  /** A choice between catalog entries the answer could mean; at most three are read out. */
  askChoice: (options: readonly string[]) => options.length > 3
    ? say`Which one: ${orList(options.slice(0, 3))}, or another? Say more of its name.`
    : say`Which one: ${orList(options)}?`,
  notAnOption: (question: Spoken) => join([say`Sorry, that isn't one of them.`, question]),
  /** The second answer that named nothing known: the question is dropped. */
  giveUp: () => say`Sorry, I still didn't get it, so let's leave that for now. Say help to hear what you can say.`,
  askRating: (designer: string) => say`How many stars, from one to five, would you give ${designer}?`,
  askFavorite: () => say`Who is your favorite designer?`,
  askAgain: (question: Spoken) => join([say`Sorry, I didn't get that.`, question]),
  unknownDesigner: (name: string) => say`I don't know a designer called ${name}.`,
  unknownChip: (name: string) => say`I don't know a chip called ${name}.`,
  salesDesignersOnly: () => say`Sales summaries are for designers. You can ask for your balance or your command history instead.`,
  subscribersDesignersOnly: () => say`Only designers have subscribers. You can ask who you're subscribed to instead.`,
  bestSellersDesignersOnly: () => say`Best sellers are for designers' own chips. You can search the marketplace instead, for example: find neon chips.`,
  earningsDesignersOnly: () => say`Royalty earnings are for designers. You can ask for your balance instead.`,
  designersOnly: () => say`Sorry, that's only for designers.`,

  // confirmation
  confirmBuy: (chip: string, designer: string, price: number) => say`Buy ${chip} by ${designer} for ${credits(price)}? Say yes to confirm.`,
  confirmAutoBuy: (designer: string, maxPrice: number | null) => maxPrice === null
    ? say`Automatically buy every new chip from ${designer}? Say yes to confirm.`
    : say`Automatically buy new chips from ${designer} up to ${credits(maxPrice)}? Say yes to confirm.`,
  /** A purchase read back to someone who already owns an edition of the chip. */
  confirmBuyOwned: (chip: string, price: number, owned: readonly number[], quantity = 1) => {
    const already = say`You already own ${chip} ${owned.length === 1 ? 'number' : 'numbers'} ${list(owned.map((n) => cardinal(n)))}.`;
    return quantity === 1
      ? say`${already} Buy another for ${credits(price)}? Say yes to confirm.`
      : say`${already} Buy ${quantity} more editions, ${credits(price)} each, ${credits(price * quantity)} in total? Say yes to confirm.`;
  },
  /** The reminder after an aside: the question is still open. */
  stillWantBuy: (chip: string, price: number, quantity = 1) => quantity === 1
    ? say`Still want ${chip} for ${credits(price)}?`
    : say`Still want ${editions(quantity)} of ${chip} for ${credits(price * quantity)}?`,
  stillWantAutoBuy: (designer: string) => say`Still want auto buy for ${designer}?`,
  stillWantPost: (group: string) => say`Still want to post it to ${group}?`,
  confirmReprompt: (question: Spoken) => join([say`Please say yes or no.`, question]),
  /** The one re-ask after an unclear answer to a question that spends credits. */
  sayYesToBuy: (chip: string, price: number, quantity = 1) => quantity === 1
    ? say`Say yes to buy ${chip} for ${credits(price)}, or no to cancel.`
    : say`Say yes to buy ${editions(quantity)} of ${chip} for ${credits(price * quantity)}, or no to cancel.`,
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
  insufficientCredits: (chip: string, price: number, balance: number, quantity = 1) => quantity === 1
    ? say`${chip} costs ${credits(price)}, but you have only ${credits(balance)}.`
    : say`${editions(quantity)} of ${chip} cost ${credits(price)}, but you have only ${credits(balance)}.`,
  soldOut: (chip: string) => say`Sorry, ${chip} is sold out.`,
  /** Said instead of a read-back that could not succeed, with what would help. */
  cannotAfford: (chip: string, price: number, balance: number, quantity = 1) => {
    if (quantity > 1) {
      // The total is what is out of reach; fewer editions may not be.
      const affordable = Math.floor(Math.max(balance, 0) / Math.max(price, 1));
      const cost = say`${editions(quantity)} of ${chip} cost ${credits(price * quantity)}`;
      if (balance <= 0) return say`${cost}, but you have no credits left. Top up your wallet first.`;
      return affordable >= 1
        ? say`${cost}, but you have only ${credits(balance)}. You could buy ${affordable === 1 ? say`one` : editions(affordable)}.`
        : say`${cost}, but you have only ${credits(balance)}. You could look for chips under ${credits(balance)}.`;
    }
    return balance <= 0
      ? say`${chip} costs ${credits(price)}, but you have no credits left. Top up your wallet first.`
      : say`${chip} costs ${credits(price)}, but you have only ${credits(balance)}. You could look for chips under ${credits(balance)}.`;
  },
  soldOutTryOthers: (chip: string, designer: string) => say`Sorry, ${chip} is sold out. You could ask what else ${designer} has.`,
  /** A chip named on its own, or picked from a list: what it is, and how to buy it. */
  chipMention: (chip: { name: string; designerName: string; priceCredits: number; soldOut: boolean }) => chip.soldOut
    ? say`${chip.name} by ${chip.designerName} is sold out.`
    : say`${chip.name} by ${chip.designerName} costs ${credits(chip.priceCredits)}. Say buy it if you want it.`,
  priceChanged: (chip: string, agreed: number, now: number) => say`The price of ${chip} changed from ${credits(agreed)} to ${credits(now)}, so I didn't buy it. Ask again to buy it at the new price.`,
  // orders of several editions
  confirmBuyMany: (chip: string, designer: string, price: number, quantity: number) =>
    say`Buy ${editions(quantity)} of ${chip} by ${designer}, ${credits(price)} each, ${credits(price * quantity)} in total? Say yes to confirm.`,
  boughtMany: (order: Order) =>
    // An order's editions are consecutive (the chip is locked while they are numbered).
    say`Done. You bought ${editions(order.quantity)} of ${order.chipName}, numbers ${order.quantity <= 3
      ? list(order.editionNumbers.map((n) => cardinal(n)))
      : say`${order.editionNumbers[0]!} to ${order.editionNumbers.at(-1)!}`}, for ${credits(order.totalCredits)} in total. You have ${credits(order.balanceAfter)} left.`,
  notEnoughLeft: (chip: string, left: number) =>
    say`Only ${left === 1 ? say`one edition` : editions(left)} of ${chip} ${left === 1 ? 'is' : 'are'} left, so I didn't buy any. ${left === 1 ? say`Ask for one.` : say`Ask for ${left} or fewer.`}`,
  quantityOutOfRange: (max: number) => say`You can buy one to ${max} editions at a time.`,
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

  subscribers: (total: number, newest: readonly string[]) => total === 0 ? say`You don't have any subscribers yet.`
    : total === 1 ? say`You have one subscriber: ${newest[0] ?? ''}.`
      : total <= newest.length ? say`You have ${total} subscribers: ${list(newest.map((n) => say`${n}`))}.`
        : say`You have ${total} subscribers. The newest are ${list(newest.map((n) => say`${n}`))}.`,
  bestSellers: (top: readonly { name: string; units: number; revenue: number }[]) => top.length === 0 ? say`You haven't sold any chips yet.`
    : join([
      say`${top[0]!.name} sells best: ${top[0]!.units} sold, for ${credits(top[0]!.revenue)}.`,
      ...(top.length > 1 ? [say`Then ${list(top.slice(1).map((c) => say`${c.name} with ${c.units}`))}.`] : []),
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

  // collections
  collection: (c: CollectionView, designer?: string) => {
    const by = designer ? say` by ${designer}` : say``;
    if (c.editions === 0) return say`You don't own any chips${by} yet.`;
    const shown = c.chips.slice(0, SPOKEN_COLLECTION_CHIPS).map((chip) => chip.editionNumbers.length === 1
      ? say`${chip.name} number ${chip.editionNumbers[0]!}`
      : chip.editionNumbers.length <= 3
        ? say`${chip.name} numbers ${list(chip.editionNumbers.map((n) => cardinal(n)))}`
        : say`${editions(chip.editionNumbers.length)} of ${chip.name}`);
    const more = c.chips.length - shown.length;
    return join([
      c.editions === 1 ? say`You own one chip${by}:` : say`You own ${chips(c.editions)}${by}:`,
      more > 0 ? say`${list([...shown, say`${more} more`])}.` : say`${list(shown)}.`,
    ]);
  },

  // chip and designer profiles
  chipInfo: (p: ChipProfile) => {
    const names = list(p.shares.map((s) => say`${s.name}`));
    const by = p.shares.length > 1
      ? say`${p.name} is by ${names}, sharing its royalties ${list(p.shares.map((s) => percent(s.shareBps)))} percent.`
      : say`${p.name} is by ${p.designer.name}.`;
    // Both are null together (an open edition).
    const stock = p.editionsLeft === null || p.editionSize === null
      ? say`It costs ${credits(p.priceCredits)}, and it's an open edition, so it never sells out.`
      : p.isSoldOut
        ? p.editionSize === 1 ? say`It's sold out: its one edition is taken.` : say`It's sold out: all ${p.editionSize} editions are taken.`
        : p.editionsLeft === 1
          ? say`It costs ${credits(p.priceCredits)}, and only one of ${p.editionSize} editions is left.`
          : say`It costs ${credits(p.priceCredits)}, and ${p.editionsLeft} of ${p.editionSize} editions are left.`;
    return join([by, stock, ...(p.tags.length > 0 ? [say`Tagged ${list(p.tags.map((t) => say`${t}`))}.`] : [])]);
  },
  designerInfo: (p: DesignerProfileView) => {
    const shown = p.chips.slice(0, SPOKEN_PROFILE_CHIPS).map((c) => say`${c.name}`);
    const more = p.chips.length - shown.length;
    const chipList = list(more > 0 ? [...shown, say`${more} more`] : shown);
    const subscribed = p.subscribers === 1 ? say`one subscriber` : say`${p.subscribers} subscribers`;
    return join([
      p.bio.trim() === '' ? say`${p.name} is a designer on HoloMesh.` : say`${p.name}: ${p.bio.trim()}`,
      p.rating.average === null ? say`No ratings yet.`
        : say`Rated ${p.rating.average.toFixed(1)} out of 5 from ${p.rating.count === 1 ? say`one rating` : say`${p.rating.count} ratings`}.`,
      p.chips.length === 0 ? say`${p.name} has no chips yet, and ${subscribed}.`
        : say`${p.name} has ${p.chips.length === 1 ? say`one chip` : chips(p.chips.length)}, ${chipList}, and ${subscribed}.`,
    ]);
  },

  // verification
  verification: (v: Verification) => {
    if (!v.isAuthentic) {
      return say`Warning: ${v.chip.name} does not check out. Its metadata hash doesn't match its stored metadata, so don't trust it.`;
    }
    const authentic = say`${v.chip.name} is authentic: its token ID and metadata hash check out.`;
    const e = v.edition;
    if (e === null) {
      const yours = v.yourEditions;
      return join([authentic, ...(yours.length === 0 ? [] : yours.length === 1 ? [say`You own number ${yours[0]!}.`] : [say`You own numbers ${list(yours.map((n) => cardinal(n)))}.`])]);
    }
    if (!e.isSold) {
      return join([authentic, v.chip.editionSize !== null && e.number > v.chip.editionSize
        ? say`It has only ${v.chip.editionSize} editions, so there is no number ${e.number}.`
        : say`Number ${e.number} hasn't been sold yet.`]);
    }
    const { provenance: p, owner } = e;
    const when = say`on ${spokenDate(p.at)} for ${credits(p.priceCredits)}`;
    const sale = owner.kind === 'you' ? say`Number ${e.number} is yours: you bought it ${when}.`
      : owner.kind === 'user' ? say`Number ${e.number} is owned by ${owner.username}, who bought it ${when}.`
        : say`Number ${e.number} is owned by a collector, who bought it ${when}.`;
    return join([authentic, sale, ...(p.ledgerConfirmed ? [] : [say`But its payment is missing from the ledger.`])]);
  },

  // royalties
  earnings: (e: Earnings) => {
    const when = PERIOD_NAMES[e.period];
    if (e.total === 0) return PAST_PERIODS.has(e.period) ? say`${when} you didn't earn any royalties.` : say`${when} you haven't earned any royalties yet.`;
    const shown = e.collaborations.chips.slice(0, SPOKEN_PROFILE_CHIPS).map((c) => say`${c.name}`);
    const more = e.collaborations.chips.length - shown.length;
    const onChips = list(more > 0 ? [...shown, say`${more} more`] : shown);
    if (e.collaborations.credits === 0) return say`${when} you earned ${credits(e.total)}, all from your own chips.`;
    if (e.ownChips.credits === 0) return say`${when} you earned ${credits(e.total)}, all as a collaborator on ${onChips}.`;
    return say`${when} you earned ${credits(e.total)}: ${e.ownChips.credits} from your chips and ${e.collaborations.credits} as a collaborator on ${onChips}.`;
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

/** "a", "a or b", "a, b or c". */
function orList(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)!}`;
}

function chipLine(c: ChipSummary): Spoken {
  return c.isSoldOut ? say`${c.name} by ${c.designerName}, sold out` : say`${c.name} by ${c.designerName} for ${credits(c.priceCredits)}`;
}

function subscribers(n: number): Spoken {
  return n === 1 ? say`one new subscriber` : say`${cardinal(n)} new subscribers`;
}

/** "December 7" (UTC), as people say a date. */
function spokenDate(iso: string): string {
  return new Date(iso).toLocaleDateString('en-US', { month: 'long', day: 'numeric', timeZone: 'UTC' });
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
