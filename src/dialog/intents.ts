import type { Slots } from '../contracts.js';
import type { Role } from '../db/entities/index.js';
import { Responses } from './responses.js';
import type { Spoken } from './ssml.js';

/**
 * The intents the dialog acts on and their slots: a contract with the templates in intents/.
 * Slot values arrive normalised: display names (`designer`, or `favorite` for "my favorite
 * designer"), chip names (`chip`, or a reference such as `#it` / `#2`, see {@link chipReference}),
 * a word of chip names (`name`), lower-case `tag`, integers (`maxPrice`, `rating`, `count`, `quantity`:
 * editions in one BuyChip order, absent for one; `edition`: an edition number, VerifyChip),
 * `enabled` (SetAutoBuy) and a period (`period`: today … all_time); group names (`group`), `liked`
 * (SetPreference) and the words of a review or group post as said (`review`, `message`).
 */
export const INTENT_NAMES = [
  'SubscribeDesigner', 'UnsubscribeDesigner', 'ListSubscriptions', 'SetFavoriteDesigner', 'SetAutoBuy',
  'SearchChips', 'WhatsNew', 'BuyChip', 'CheckBalance', 'SalesSummary', 'RateDesigner', 'CommandHistory',
  'ReadNotifications', 'Confirm', 'Deny', 'Cancel', 'Help',
  'FollowUp', 'MySubscribers', 'BestSellers',
  // collections, profiles, verification, earnings
  'MyCollection', 'ChipInfo', 'DesignerInfo', 'VerifyChip', 'Earnings',
  // reviews, preferences and groups
  'WriteReview', 'ReadReviews', 'SetPreference', 'Recommend', 'JoinGroup', 'LeaveGroup', 'GroupNews', 'PostToGroup',
] as const;
export type IntentName = (typeof INTENT_NAMES)[number];

/** Slots the dialog asks for when missing (the others are optional or have defaults). */
export type AskableSlot = 'designer' | 'chip' | 'rating' | 'group' | 'tag' | FreeTextSlot;

/** Slots whose answer is whatever the person says (a review, a group post). */
export type FreeTextSlot = 'review' | 'message';
export const FREE_TEXT_SLOTS: ReadonlySet<string> = new Set<FreeTextSlot>(['review', 'message']);

/** Names to put in examples ("buy Neon Dragon"): taken from the live catalog. */
export interface ExampleNames {
  readonly chip: string;
  readonly designer: string;
  readonly tag: string;
  readonly group: string;
}

export interface IntentSpec {
  /**
   * Asked for, in this order, when missing: the question names what is missing, a bare value
   * answers it, a new command abandons it, and two answers that name nothing known give up.
   */
  readonly required: readonly AskableSlot[];
  /** The question for a missing slot (default: "Which designer?", "Which chip?"). */
  readonly ask?: Partial<Record<AskableSlot, (known: Slots) => Spoken>>;
  /** Read back and wait for a Confirm (purchases, enabling auto-buy). */
  readonly confirm?: (slots: Readonly<Record<string, unknown>>) => boolean;
  /** Only these roles may use it (others get `refusal`, or a general polite refusal). */
  readonly roles?: readonly Role[];
  readonly refusal?: () => Spoken;
  /**
   * Only reads and answers: asked while a question is open, it is answered and the question
   * stays open ("…You have 40 credits. Still want Neon Dragon for 25 credits?").
   */
  readonly aside?: boolean;
  /**
   * With nothing pending, its turn writes nothing (WhatsNew and ReadNotifications are asides that
   * move marks; Confirm, Deny and Cancel have nothing to act on): the turn needs no transaction
   * of its own. test/assistant/read-only.test.ts proves it against PostgreSQL for each of them.
   */
  readonly readOnly?: boolean;
  /** Slots a follow-up ("and from Aria Chen?", "what about last month?") may change, keeping the rest. */
  readonly followUp?: readonly string[];
  /**
   * A sentence that does it, for help and "did you mean", built from the nearly understood slots
   * (or catalog names). Intents without one are not suggested.
   */
  readonly example?: (slots: Slots, names: ExampleNames) => string;
  /** Listed in help for these roles only (default: everyone who may use it). */
  readonly helpFor?: readonly Role[];
  /** Listed in help among the commands about other people (reviews, groups), after the others. */
  readonly community?: boolean;
}

const str = (value: unknown, fallback: string): string => (typeof value === 'string' && value !== '' && !value.startsWith('#') ? value : fallback);
const designerOf = (s: Slots, n: ExampleNames): string => (s.designer === FAVORITE ? 'my favorite designer' : str(s.designer, n.designer));

// Kept literal (`as const`) so that each intent's `required` slots are known to the types: see RequiredSlot.
const SPECS = {
  SubscribeDesigner: {
    required: ['designer'], ask: { designer: Responses.askDesignerToSubscribe },
    example: (s, n) => `subscribe to ${designerOf(s, n)}`,
  },
  UnsubscribeDesigner: {
    required: ['designer'], ask: { designer: Responses.askDesignerToUnsubscribe },
    example: (s, n) => `unsubscribe from ${designerOf(s, n)}`, helpFor: [],
  },
  ListSubscriptions: { required: [], readOnly: true, aside: true, example: () => 'who am I subscribed to', helpFor: ['client'] },
  SetFavoriteDesigner: {
    required: ['designer'], ask: { designer: Responses.askFavorite },
    example: (s, n) => `make ${str(s.designer, n.designer)} my favorite designer`, helpFor: [],
  },
  SetAutoBuy: {
    required: ['designer'], confirm: (slots) => slots.enabled !== false,
    ask: { designer: (s) => (s.enabled === false ? Responses.askDesignerAutoBuyOff() : Responses.askDesignerAutoBuyOn()) },
    example: (s, n) => (s.enabled === false ? `turn off auto buy for ${designerOf(s, n)}`
      : `turn on auto buy for ${designerOf(s, n)}${typeof s.maxPrice === 'number' ? ` under ${s.maxPrice} credits` : ''}`),
    helpFor: ['client'],
  },
  SearchChips: {
    required: [], readOnly: true, aside: true, followUp: ['designer', 'tag', 'maxPrice', 'name'],
    example: (s, n) => `find ${str(s.tag, str(s.name, n.tag))} chips${typeof s.designer === 'string' ? ` by ${designerOf(s, n)}` : ''} under ${typeof s.maxPrice === 'number' ? s.maxPrice : 50} credits`,
  },
  WhatsNew: { required: [], aside: true, followUp: ['designer'], example: (s, n) => (typeof s.designer === 'string' ? `what's new from ${designerOf(s, n)}` : "what's new") },
  BuyChip: { required: ['chip'], ask: { chip: Responses.askChipToBuy }, confirm: () => true, example: (s, n) => `buy ${str(s.chip, n.chip)}` },
  CheckBalance: { required: [], readOnly: true, aside: true, example: () => "what's my balance" },
  SalesSummary: {
    required: [], readOnly: true, roles: ['designer'], aside: true, followUp: ['period'], refusal: Responses.salesDesignersOnly,
    example: () => 'how were my sales this week',
  },
  RateDesigner: {
    required: ['designer', 'rating'], ask: { designer: Responses.askDesignerToRate, rating: (s) => Responses.askRating(str(s.designer, 'them')) },
    example: (s, n) => `rate ${designerOf(s, n)} ${typeof s.rating === 'number' ? s.rating : 5} stars`, helpFor: ['client'],
  },
  CommandHistory: { required: [], readOnly: true, aside: true, example: () => 'what were my last 3 commands', helpFor: [] },
  ReadNotifications: { required: [], aside: true, example: () => 'read my notifications' },
  Confirm: { required: [], readOnly: true },
  Deny: { required: [], readOnly: true },
  Cancel: { required: [], readOnly: true },
  Help: { required: [], readOnly: true, aside: true },
  // A follow-up names only what changes; the dialog runs it as the command it follows.
  FollowUp: { required: [] },
  MySubscribers: {
    required: [], readOnly: true, roles: ['designer'], aside: true, refusal: Responses.subscribersDesignersOnly,
    example: () => 'who subscribed to me',
  },
  BestSellers: {
    required: [], readOnly: true, roles: ['designer'], aside: true, refusal: Responses.bestSellersDesignersOnly,
    example: () => 'which of my chips sells best',
  },
  // collections, profiles, verification, earnings: all only read, so each is also an aside
  MyCollection: {
    required: [], readOnly: true, aside: true, followUp: ['designer'],
    example: (s, n) => (typeof s.designer === 'string' ? `what chips by ${designerOf(s, n)} do I own` : 'what chips do I own'), helpFor: ['client'],
  },
  ChipInfo: { required: ['chip'], readOnly: true, aside: true, example: (s, n) => `how much is ${str(s.chip, n.chip)}` },
  DesignerInfo: { required: ['designer'], readOnly: true, aside: true, example: (s, n) => `tell me about ${designerOf(s, n)}`, helpFor: [] },
  VerifyChip: { required: ['chip'], readOnly: true, aside: true, example: (s, n) => `is ${str(s.chip, n.chip)} authentic`, helpFor: [] },
  Earnings: {
    required: [], readOnly: true, roles: ['designer'], aside: true, followUp: ['period'], refusal: Responses.earningsDesignersOnly,
    example: () => 'how much have I earned in royalties this month',
  },
  // reviews, preferences and groups
  WriteReview: {
    required: ['designer', 'review'], ask: { designer: Responses.askDesignerToReview, review: (s) => Responses.askReview(str(s.designer, 'them')) },
    example: (s, n) => `leave a review for ${designerOf(s, n)} saying great work`, helpFor: ['client'], community: true,
  },
  ReadReviews: {
    required: ['designer'], readOnly: true, aside: true, ask: { designer: Responses.askDesignerReviews },
    example: (s, n) => `what do people say about ${designerOf(s, n)}`, community: true,
  },
  SetPreference: {
    required: ['tag'], ask: { tag: Responses.askTag },
    example: (s, n) => `I like ${str(s.tag, n.tag)} chips`, helpFor: ['client'], community: true,
  },
  Recommend: { required: [], readOnly: true, aside: true, example: () => 'recommend me something', helpFor: ['client'], community: true },
  JoinGroup: {
    required: ['group'], ask: { group: Responses.askGroupToJoin },
    example: (s, n) => `join ${str(s.group, n.group)}`, community: true,
  },
  LeaveGroup: {
    required: ['group'], ask: { group: Responses.askGroupToLeave },
    example: (s, n) => `leave ${str(s.group, n.group)}`, helpFor: [],
  },
  GroupNews: { required: [], readOnly: true, aside: true, example: (s, n) => (typeof s.group === 'string' ? `what's new in ${str(s.group, n.group)}` : 'group news'), community: true },
  PostToGroup: {
    required: ['group', 'message'], confirm: () => true,
    ask: { group: Responses.askGroupToPost, message: (s) => Responses.askMessage(str(s.group, 'the group')) },
    example: (s, n) => `post to ${str(s.group, n.group)} saying hello everyone`, helpFor: ['designer'], community: true,
  },
} as const satisfies Record<IntentName, IntentSpec>;

export const INTENTS: Readonly<Record<IntentName, IntentSpec>> = SPECS;

/** The slots an intent cannot run without (its `required`), as a type. */
export type RequiredSlot<I extends IntentName> = (typeof SPECS)[I]['required'][number];

/** The intents whose turns write nothing when no question is open (see `IntentSpec.readOnly`). */
export const READ_ONLY_INTENTS: ReadonlySet<string> = new Set(INTENT_NAMES.filter((name) => INTENTS[name].readOnly === true));

export function isIntentName(name: unknown): name is IntentName {
  return typeof name === 'string' && Object.hasOwn(INTENTS, name);
}

/** Intents that answer a question rather than start something. */
export const CONTROL_INTENTS: ReadonlySet<IntentName> = new Set(['Confirm', 'Deny', 'Cancel']);

/** The slot value meaning "the client's favorite designer". */
export const FAVORITE = 'favorite';

/**
 * A chip slot that points back at what was said before: `#it` ("buy it"), `#1`…`#5` ("the
 * second one"), `#last`. Returns the 0-based position, 'it', 'last', or null for a chip name.
 */
export function chipReference(value: unknown): number | 'it' | 'last' | null {
  if (typeof value !== 'string') return null;
  const m = /^#(it|last|[1-9])$/.exec(value);
  if (!m) return null;
  return m[1] === 'it' || m[1] === 'last' ? m[1] : Number(m[1]) - 1;
}
