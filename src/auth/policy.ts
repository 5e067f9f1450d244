import { ROLES, type Role } from '../db/entities/user.js';
import type { Principal } from './tokens.js';

/**
 * Who may do what: the one place that maps actions to roles. Routes check it through
 * `app.requirePermission(action)`, the dialog through `can(principal, 'command:<Intent>')`.
 *
 * Voice commands are `command:<IntentName>`; a command not listed here is open to every signed-in
 * role (most commands act on the caller's own account).
 */
export const POLICY = {
  /** A designer's own sales (royalties); clients and admins have none. */
  'command:SalesSummary': ['designer'],
  /** Read one's own command log. */
  'history:read-own': ROLES,
  /** Read anyone's command log (support, moderation). */
  'history:read-any': ['admin'],
  /** Publish a new chip. */
  'chip:publish': ['designer'],
  /** Accept or decline being listed as a collaborator on another designer's chip. */
  'chip:collaborate': ['designer'],
  /** Buy a chip (designers may collect too). */
  'chip:buy': ['client', 'designer'],
  /** Review and rate a designer. */
  'designer:rate': ['client'],
  /** Write a review of a designer (not of oneself). */
  'designer:review': ['client', 'designer'],
  /** Tell one's own liked and disliked tags, and hear recommendations from them. */
  'preferences:own': ['client', 'designer'],
  /** Create a community group. */
  'group:create': ['designer'],
  /** Join, leave and post to groups. */
  'group:take-part': ['client', 'designer'],
  /** Manage other accounts (roles, locks). */
  'user:manage': ['admin'],
  /** Set up or change one's own two-factor authentication. */
  'auth:manage-2fa': ROLES,
  /** Stream audio to the recogniser. */
  'voice:transcribe': ROLES,
} as const satisfies Record<string, readonly Role[]>;

export type PolicyAction = keyof typeof POLICY;
/** Any listed action, or a voice command by intent name. */
export type Action = PolicyAction | `command:${string}`;

function isPolicyAction(action: string): action is PolicyAction {
  return Object.hasOwn(POLICY, action);
}

/** The roles allowed to do `action`. */
export function rolesFor(action: Action): readonly Role[] {
  if (isPolicyAction(action)) return POLICY[action];
  if (action.startsWith('command:')) return ROLES;
  // Unknown actions are denied: a typo must never open something up.
  return [];
}

/**
 * True when `principal` may do `action`. Anonymous callers (null) may do nothing, and an
 * enrolment-only principal may only manage its two-factor authentication.
 */
export function can(principal: (Pick<Principal, 'role'> & { readonly enrolmentOnly?: boolean }) | null, action: Action): boolean {
  if (!principal) return false;
  if (principal.enrolmentOnly && action !== 'auth:manage-2fa') return false;
  return rolesFor(action).includes(principal.role);
}
