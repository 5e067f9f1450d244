import { createHash, randomUUID } from 'node:crypto';

/** The key of Wyoming's `context` under which the dialog's session id travels. */
export const SESSION_KEY = 'holomesh_session';

const SESSION_ID = /^[A-Za-z0-9_-]{8,64}$/;
const MAX_CONVERSATION_ID = 256;

export interface ContextSession {
  readonly sessionId: string;
  /** True when the id was just made: the session can hold no dialog state yet. */
  readonly isNew: boolean;
}

/**
 * The dialog session a Wyoming `context` continues: our own key when a client sent back the
 * context we gave it, else Home Assistant's `conversation_id` (hashed into an id of ours), else
 * a new session. Sessions belong to the port's one user, so a guessed id reaches nobody else's.
 */
export function sessionFromContext(context: unknown): ContextSession {
  if (typeof context === 'object' && context !== null) {
    const { [SESSION_KEY]: own, conversation_id: conversation } = context as Record<string, unknown>;
    if (typeof own === 'string' && SESSION_ID.test(own)) return { sessionId: own, isNew: false };
    if (typeof conversation === 'string' && conversation.length > 0 && conversation.length <= MAX_CONVERSATION_ID) {
      return { sessionId: `ha-${createHash('sha256').update(conversation).digest('hex').slice(0, 40)}`, isNew: false };
    }
  }
  return { sessionId: randomUUID(), isNew: true };
}

/** The context to answer with: the session to continue, and Home Assistant's conversation id back. */
export function replyContext(context: unknown, sessionId: string): Record<string, unknown> {
  const conversation = typeof context === 'object' && context !== null ? (context as Record<string, unknown>).conversation_id : undefined;
  return {
    ...(typeof conversation === 'string' && conversation.length <= MAX_CONVERSATION_ID ? { conversation_id: conversation } : {}),
    [SESSION_KEY]: sessionId,
  };
}
