import type { DataSource, EntityManager } from 'typeorm';
import { ClientProfile, DesignerProfile, ROLES, User, type Role } from '../db/entities/index.js';
import { Errors } from '../errors.js';
import { checkNewName } from '../marketplace/names.js';
import { createAccount, normaliseUsername, type PublicUser } from './accounts.js';
import { DeviceCredentialStore } from './device-credentials.js';
import { hashPassword } from './passwords.js';
import { assertStrongPassword } from './password-policy.js';
import { RefreshTokenStore } from './refresh-tokens.js';
import { USERNAME_PATTERN } from './schemas.js';

/**
 * What an operator does to accounts (`holomesh users …`): no sign-in involved, the caller is
 * trusted. Every change that should end a user's sessions revokes their refresh tokens in the
 * same transaction; access tokens already handed out run out within JWT_ACCESS_TTL_S.
 */

/** One line of `holomesh users list`. */
export interface UserSummary {
  readonly username: string;
  readonly email: string;
  readonly role: Role;
  readonly totpEnabled: boolean;
  readonly disabled: boolean;
  readonly createdAt: Date;
}

export interface NewUser {
  readonly username: string;
  readonly email: string;
  readonly role: Role;
  readonly password: string;
  /** Required for designers: the name clients say. */
  readonly displayName?: string;
}

/** Revokes every refresh token of the user, within `manager`'s transaction. */
function signOutEverywhere(dataSource: DataSource, manager: EntityManager, userId: string): Promise<void> {
  // Token lifetimes play no part in revoking.
  return new RefreshTokenStore(dataSource, 0).revokeAllFor(userId, manager);
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/**
 * The account named `username` (any case).
 * @throws HM_ERR_REQUEST_NOT_FOUND
 */
export async function findUserByName(manager: EntityManager, username: string, lock = false): Promise<User> {
  const user = await manager.findOne(User, { where: { username: normaliseUsername(username) }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
  if (!user) throw Errors.NotFound(`a user named "${username}"`);
  return user;
}

/**
 * Creates an account of any role (admins included), under the password policy.
 * @throws HM_ERR_REQUEST_INVALID for a bad username or email, and as `createAccount`.
 */
export async function addUser(dataSource: DataSource, input: NewUser): Promise<PublicUser> {
  if (!new RegExp(USERNAME_PATTERN).test(input.username)) throw Errors.BadRequest('a username has 3 to 32 letters, digits, "_", "." or "-", starting with a letter or digit');
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(input.email) || input.email.length > 254) throw Errors.BadRequest(`"${input.email}" is not an email address`);
  return createAccount(dataSource, input);
}

export async function listUsers(dataSource: DataSource): Promise<UserSummary[]> {
  const users = await dataSource.manager.find(User, { order: { username: 'ASC' } });
  return users.map((u) => ({ username: u.username, email: u.email, role: u.role, totpEnabled: u.totpEnabled, disabled: u.disabledAt !== null, createdAt: u.createdAt }));
}

/**
 * Sets a new password (the policy applies) and signs the user out everywhere.
 * @throws HM_ERR_REQUEST_NOT_FOUND, HM_ERR_AUTH_PASSWORD_WEAK
 */
export async function setPassword(dataSource: DataSource, username: string, password: string): Promise<void> {
  const user = await findUserByName(dataSource.manager, username);
  assertStrongPassword(password, user);
  const passwordHash = await hashPassword(password);
  await dataSource.transaction(async (manager) => {
    await manager.update(User, { id: user.id }, { passwordHash });
    await signOutEverywhere(dataSource, manager, user.id);
  });
}

/**
 * Changes the role, adding the profile the new role needs (a designer's display name, a client's
 * profile; profiles of a former role stay, so sales and purchases keep their owner), and signs
 * the user out everywhere so no session keeps the old role.
 * @throws HM_ERR_REQUEST_NOT_FOUND; HM_ERR_REQUEST_INVALID when a new designer lacks a display name.
 * @returns false when the user already had that role (nothing changed).
 */
export async function setRole(dataSource: DataSource, username: string, role: Role, displayName?: string): Promise<boolean> {
  return dataSource.transaction(async (manager) => {
    const user = await findUserByName(manager, username, true);
    if (user.role === role) return false;
    if (role === 'designer' && !(await manager.existsBy(DesignerProfile, { userId: user.id }))) {
      if (!displayName?.trim()) throw Errors.BadRequest('a designer needs a display name (--display-name)');
      const name = await checkNewName(manager, 'designer', displayName.trim());
      if (name.kind === 'invalid') throw Errors.NameInvalid('designer', name.reason);
      if (name.kind === 'confusable') throw Errors.NameConfusable('designer', name.existing);
      await manager.insert(DesignerProfile, { userId: user.id, displayName: name.name, bio: '', portfolioUrls: [] });
    }
    if (role === 'client' && !(await manager.existsBy(ClientProfile, { userId: user.id }))) {
      await manager.insert(ClientProfile, { userId: user.id, favoriteDesignerId: null, preferences: {} });
    }
    await manager.update(User, { id: user.id }, { role });
    await signOutEverywhere(dataSource, manager, user.id);
    return true;
  });
}

/**
 * Disables an account — no sign-in, no refresh, every refresh token and device credential
 * revoked — or enables it again (it signs in afresh; revoked devices stay revoked).
 * @throws HM_ERR_REQUEST_NOT_FOUND
 * @returns the ids of the device credentials revoked (to close their open sessions).
 */
export async function setDisabled(dataSource: DataSource, username: string, disabled: boolean): Promise<string[]> {
  return dataSource.transaction(async (manager) => {
    const user = await findUserByName(manager, username, true);
    await manager.update(User, { id: user.id }, { disabledAt: disabled ? (user.disabledAt ?? new Date()) : null });
    if (!disabled) return [];
    await signOutEverywhere(dataSource, manager, user.id);
    return new DeviceCredentialStore(dataSource).revokeAllFor(user.id, manager);
  });
}
