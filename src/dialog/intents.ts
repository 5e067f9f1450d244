import type { Role } from '../db/entities/index.js';

/**
 * The intents the dialog acts on and their slots: a contract with the templates in intents/.
 * Slot values arrive normalised: display names (`designer`, or `favorite` for "my favorite
 * designer"), chip names (`chip`), lower-case `tag`, integers (`maxPrice`, `rating`, `count`),
 * `enabled` (SetAutoBuy) and a period (`period`: today … all_time); group names (`group`), `liked`
 * (SetPreference) and the words of a review or group post as said (`review`, `message`).
 */
export const INTENT_NAMES = [
  'SubscribeDesigner', 'UnsubscribeDesigner', 'ListSubscriptions', 'SetFavoriteDesigner', 'SetAutoBuy',
  'SearchChips', 'WhatsNew', 'BuyChip', 'CheckBalance', 'SalesSummary', 'RateDesigner', 'CommandHistory',
  'ReadNotifications', 'Confirm', 'Deny', 'Cancel', 'Help',
  // reviews, preferences and groups
  'WriteReview', 'ReadReviews', 'SetPreference', 'Recommend', 'JoinGroup', 'LeaveGroup', 'GroupNews', 'PostToGroup',
] as const;
export type IntentName = (typeof INTENT_NAMES)[number];

/** Slots the dialog asks for when missing (the others are optional or have defaults). */
export type AskableSlot = 'designer' | 'chip' | 'rating' | 'group' | 'tag' | FreeTextSlot;

/** Slots whose answer is whatever the person says (a review, a group post). */
export type FreeTextSlot = 'review' | 'message';
export const FREE_TEXT_SLOTS: ReadonlySet<string> = new Set<FreeTextSlot>(['review', 'message']);

export interface IntentSpec {
  readonly required: readonly AskableSlot[];
  /** Read back and wait for a Confirm (purchases, enabling auto-buy). */
  readonly confirm?: (slots: Readonly<Record<string, unknown>>) => boolean;
  /** Only these roles may use it (others get a polite refusal). */
  readonly roles?: readonly Role[];
}

export const INTENTS: Readonly<Record<IntentName, IntentSpec>> = {
  SubscribeDesigner: { required: ['designer'] },
  UnsubscribeDesigner: { required: ['designer'] },
  ListSubscriptions: { required: [] },
  SetFavoriteDesigner: { required: ['designer'] },
  SetAutoBuy: { required: ['designer'], confirm: (slots) => slots.enabled !== false },
  SearchChips: { required: [] },
  WhatsNew: { required: [] },
  BuyChip: { required: ['chip'], confirm: () => true },
  CheckBalance: { required: [] },
  SalesSummary: { required: [], roles: ['designer'] },
  RateDesigner: { required: ['designer', 'rating'] },
  CommandHistory: { required: [] },
  ReadNotifications: { required: [] },
  Confirm: { required: [] },
  Deny: { required: [] },
  Cancel: { required: [] },
  Help: { required: [] },
  // reviews, preferences and groups
  WriteReview: { required: ['designer', 'review'] },
  ReadReviews: { required: ['designer'] },
  SetPreference: { required: ['tag'] },
  Recommend: { required: [] },
  JoinGroup: { required: ['group'] },
  LeaveGroup: { required: ['group'] },
  GroupNews: { required: [] },
  PostToGroup: { required: ['group', 'message'], confirm: () => true },
};

export function isIntentName(name: unknown): name is IntentName {
  return typeof name === 'string' && Object.hasOwn(INTENTS, name);
}

/** Intents that answer a question rather than start something. */
export const CONTROL_INTENTS: ReadonlySet<IntentName> = new Set(['Confirm', 'Deny', 'Cancel']);

/** The slot value meaning "the client's favorite designer". */
export const FAVORITE = 'favorite';
