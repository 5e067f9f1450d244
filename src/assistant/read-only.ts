import type { Understanding } from '../contracts.js';
import type { DialogState } from '../dialog/index.js';

/**
 * Intents whose action only reads (WhatsNew is not one: it moves the "last asked" mark, and
 * ReadNotifications marks them read). With nothing pending, a turn acts on the understood intent
 * or on none, so these turns change nothing. test/assistant/read-only.test.ts proves it against
 * PostgreSQL for each of them.
 */
export const READ_ONLY_INTENTS: ReadonlySet<string> = new Set([
  'CheckBalance', 'ListSubscriptions', 'SearchChips', 'SalesSummary', 'CommandHistory', 'Help', 'Confirm', 'Deny', 'Cancel',
  'MySubscribers', 'BestSellers',
  // collections, profiles, verification, earnings
  'MyCollection', 'ChipInfo', 'DesignerInfo', 'VerifyChip', 'Earnings',

  'MySubscribers', 'BestSellers', 'ReadReviews', 'Recommend', 'GroupNews',
]);

/**
 * True when this turn can only read the database: it needs no transaction of its own. (It may
 * still change the dialog's context, which lives in the session store.)
 */
export function isReadOnlyTurn(state: DialogState, understanding: Understanding): boolean {
  return state.pending === null && (understanding.intent === null || READ_ONLY_INTENTS.has(understanding.intent));
}
