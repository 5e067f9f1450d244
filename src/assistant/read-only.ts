import type { Understanding } from '../contracts.js';
import { READ_ONLY_INTENTS, type DialogState } from '../dialog/index.js';

/**
 * True when this turn can only read the database: it needs no transaction of its own. With
 * nothing pending, a turn acts on the understood intent or on none, so a read-only intent (a
 * property of the intent table) changes nothing. (It may still change the dialog's context,
 * which lives in the session store.)
 */
export function isReadOnlyTurn(state: DialogState, understanding: Understanding): boolean {
  return state.pending === null && (understanding.intent === null || READ_ONLY_INTENTS.has(understanding.intent));
}
