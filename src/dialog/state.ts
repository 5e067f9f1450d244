import type { Slots } from '../contracts.js';
import type { SessionStore } from '../cache/index.js';
import type { AskableSlot, IntentName } from './intents.js';
import type { Spoken } from './ssml.js';

/** What the assistant is waiting for, if anything. */
export type Pending =
  /**
   * A required slot was asked for ("Which designer?"); `favorite` = the answer names the favorite
   * designer; `options` = a choice between these values ("Quantum Koi or Starlight Koi?"),
   * answerable by name or position; `failures` = answers so far that named nothing known.
   */
  | {
    readonly kind: 'slot'; readonly intent: IntentName; readonly slots: Slots; readonly missing: AskableSlot; readonly question: Spoken;
    readonly favorite?: boolean; readonly offerFavorite?: string; readonly options?: readonly string[]; readonly failures?: number;
  }
  /**
   * An action was read back and waits for a clear yes until `expiresAt` (ms since epoch). `bound`
   * is exactly what was read back: a yes acts on it and on nothing looked up again by name.
   * `reasked`: an unclear answer already got the one re-ask.
   */
  | {
    readonly kind: 'confirm'; readonly intent: IntentName; readonly slots: Slots; readonly key: string; readonly expiresAt: number;
    readonly question: Spoken; readonly bound: Bound; readonly reasked?: boolean; readonly offerFavorite?: string;
    /** The designer the command named, if any (offered as the favorite after the purchase). */
    readonly designer?: { readonly id: string; readonly name: string };
  }
  /** "Should I remember X as your favorite designer?" */
  | { readonly kind: 'remember_favorite'; readonly designerId: string; readonly designer: string };

/** What a confirmation is bound to: the ids, price and quantity that were read back. */
export type Bound =
  | { readonly kind: 'buy'; readonly chipId: string; readonly chipName: string; readonly designerName: string; readonly priceCredits: number; readonly quantity: number }
  | { readonly kind: 'auto_buy'; readonly designerId: string; readonly designerName: string; readonly maxPrice: number | null }
  /** A group post: published exactly as read back. */
  | { readonly kind: 'post'; readonly groupId: string; readonly groupName: string; readonly message: string };

/** A chip the dialog named or listed, by id (so "buy it" buys exactly that one). */
export interface ChipMention {
  readonly id: string;
  readonly name: string;
}

/**
 * What was just talked about, for pronouns and ellipsis: "buy it", "the second one" (a list
 * read out), "and from Aria Chen?" (the last command, run again with a slot changed).
 */
export interface DialogContext {
  /** The chips last read out, in order. */
  readonly chips?: readonly ChipMention[];
  /** The chip "it" means: the last one named alone. */
  readonly chip?: ChipMention;
  /** The last command answered, with its slots (display names). */
  readonly last?: { readonly intent: IntentName; readonly slots: Slots };
}

/**
 * A session's dialog state, kept in the SessionStore between turns (JSON): it survives a
 * reconnect or another instance, and expires with the session.
 */
export interface DialogState {
  readonly pending: Pending | null;
  readonly context?: DialogContext;
}

export const EMPTY_STATE: DialogState = { pending: null };

/**
 * The store key of a dialog: the user id is part of it, so a session id alone can never reach
 * another user's dialog.
 */
export function dialogKey(userId: string, sessionId: string): string {
  return `dialog:${userId}:${sessionId}`;
}

export async function loadDialog(store: SessionStore, userId: string, sessionId: string): Promise<DialogState> {
  return (await store.get<DialogState>(dialogKey(userId, sessionId))) ?? EMPTY_STATE;
}

export async function saveDialog(store: SessionStore, userId: string, sessionId: string, state: DialogState, ttlS: number): Promise<void> {
  await store.set(dialogKey(userId, sessionId), state, ttlS);
}
