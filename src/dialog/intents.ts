import type { Role } from '../db/entities/index.js';

/**
 * The intents the dialog acts on and their slots: a contract with the templates in intents/.
 * Slot values arrive normalised: display names (`designer`, or `favorite` for "my favorite
 * designer"), chip names (`chip`), lower-case `tag`, integers (`maxPrice`, `rating`, `count`, `quantity`:
 * editions in one BuyChip order, absent for one; `edition`: an edition number, VerifyChip),
 * `enabled` (SetAutoBuy) and a period (`period`: today … all_time).
 */
export const INTENT_NAMES = [
  'SubscribeDesigner', 'UnsubscribeDesigner', 'ListSubscriptions', 'SetFavoriteDesigner', 'SetAutoBuy',
  'SearchChips', 'WhatsNew', 'BuyChip', 'CheckBalance', 'SalesSummary', 'RateDesigner', 'CommandHistory',
  'ReadNotifications', 'Confirm', 'Deny', 'Cancel', 'Help',
  // collections, profiles, verification, earnings
  'MyCollection', 'ChipInfo', 'DesignerInfo', 'VerifyChip', 'Earnings',
] as const;
export type IntentName = (typeof INTENT_NAMES)[number];

/** Slots the dialog asks for when missing (the others are optional or have defaults). */
export type AskableSlot = 'designer' | 'chip' | 'rating';

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
  // collections, profiles, verification, earnings
  MyCollection: { required: [] },
  ChipInfo: { required: ['chip'] },
  DesignerInfo: { required: ['designer'] },
  VerifyChip: { required: ['chip'] },
  Earnings: { required: [], roles: ['designer'] },
};

export function isIntentName(name: unknown): name is IntentName {
  return typeof name === 'string' && Object.hasOwn(INTENTS, name);
}

/** Intents that answer a question rather than start something. */
export const CONTROL_INTENTS: ReadonlySet<IntentName> = new Set(['Confirm', 'Deny', 'Cancel']);

/** The slot value meaning "the client's favorite designer". */
export const FAVORITE = 'favorite';
