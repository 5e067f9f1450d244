import { QueryFailedError, type DataSource } from 'typeorm';
import { ClientProfile, DesignerProfile, User, type Role } from '../db/entities/index.js';
import { Errors, HoloMeshError } from '../errors.js';
import type { SessionStore } from '../cache/session-store.js';
import { hashPassword, needsRehash, verifyPassword } from './passwords.js';
import { assertStrongPassword } from './password-policy.js';
import { ENROLMENT_TOKEN_TTL_S, type TokenService } from './tokens.js';
import { RefreshTokenStore } from './refresh-tokens.js';
import { isTotpFormat, verifyTotpOnce } from './totp.js';
import { useRecoveryCode } from './recovery-codes.js';
import { checkNewName } from '../marketplace/names.js';

/** What the API shows of an account (never hashes or secrets). */
export interface PublicUser {
  readonly id: string;
  readonly username: string;
  readonly email: string;
  readonly role: Role;
  readonly totpEnabled: boolean;
}

export interface SessionTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly tokenType: 'Bearer';
  /** Lifetime of the access token, seconds. */
  readonly expiresIn: number;
  readonly user: PublicUser;
}

export interface RegisterInput {
  readonly username: string;
  readonly email: string;
  readonly password: string;
  readonly role?: 'client' | 'designer';
  readonly displayName?: string;
}

export interface AccountServiceOptions {
  readonly dataSource: DataSource;
  readonly sessionStore: SessionStore;
  readonly tokens: TokenService;
  readonly refreshTtlS: number;
  /** Absolute lifetime of a login (its refresh family), seconds. */
  readonly sessionMaxAgeS: number;
  readonly require2faRoles: readonly Role[];
}

export function toPublicUser(user: User): PublicUser {
  return { id: user.id, username: user.username, email: user.email, role: user.role, totpEnabled: user.totpEnabled };
}

/** Usernames are stored and compared in lower case. */
export function normaliseUsername(username: string): string {
  return username.trim().toLowerCase();
}

// Which unique index a duplicate hit, for a 409 that names the field.
const UNIQUE_FIELDS = {
  users_username_key: 'the username',
  users_email_key: 'the email address',
  designer_profiles_display_name_lower_key: 'the display name',
} as const;

const uniqueField = (index: string | undefined): string | undefined => Object.entries(UNIQUE_FIELDS).find(([name]) => name === index)?.[1];

/**
 * Creates an account of any role, with its profile (a designer's needs a display name; an admin
 * has none). The password policy applies. Registration and `holomesh users add` both use it.
 * @throws HM_ERR_AUTH_PASSWORD_WEAK, HM_ERR_AUTH_ACCOUNT_EXISTS for a taken username, email or
 * designer display name, HM_ERR_MARKET_NAME_INVALID / _CONFUSABLE for a bad display name.
 */
export async function createAccount(dataSource: DataSource, input: Omit<RegisterInput, 'role'> & { readonly role: Role }): Promise<PublicUser> {
  const role = input.role;
  const username = normaliseUsername(input.username);
  const email = input.email.trim().toLowerCase();
  const displayName = input.displayName?.trim();
  if (role === 'designer' && !displayName) throw Errors.BadRequest('a designer account needs a displayName');
  assertStrongPassword(input.password, { username, email });
  const passwordHash = await hashPassword(input.password);
  try {
    return await dataSource.transaction(async (manager) => {
      // Friendly answers for the common case; the unique indexes still decide under races.
      if (await manager.existsBy(User, { username })) throw Errors.AccountExists(UNIQUE_FIELDS.users_username_key);
      const [{ taken }] = await manager.query('SELECT EXISTS (SELECT 1 FROM users WHERE lower(email) = $1) AS taken', [email]) as [{ taken: boolean }];
      if (taken) throw Errors.AccountExists(UNIQUE_FIELDS.users_email_key);
      let profileName: string | null = null;
      if (role === 'designer' && displayName) {
        const [{ nameTaken }] = await manager.query('SELECT EXISTS (SELECT 1 FROM designer_profiles WHERE lower(display_name) = lower($1)) AS "nameTaken"', [displayName]) as [{ nameTaken: boolean }];
        if (nameTaken) throw Errors.AccountExists(UNIQUE_FIELDS.designer_profiles_display_name_lower_key);
        // No designer may pass for another (look-alike letters, invisible characters, spacing).
        const name = await checkNewName(manager, 'designer', displayName);
        if (name.kind === 'invalid') throw Errors.NameInvalid('designer', name.reason);
        if (name.kind === 'confusable') throw Errors.NameConfusable('designer', name.existing);
        profileName = name.name;
      }
      const user = await manager.save(manager.create(User, { username, email, passwordHash, role, totpSecret: null, totpEnabled: false }));
      if (profileName !== null) {
        await manager.insert(DesignerProfile, { userId: user.id, displayName: profileName, bio: '', portfolioUrls: [] });
      } else if (role === 'client') {
        await manager.insert(ClientProfile, { userId: user.id, favoriteDesignerId: null, preferences: {} });
      }
      return toPublicUser(user);
    });
  } catch (err) {
    const constraint = err instanceof QueryFailedError ? (err.driverError as { code?: string; constraint?: string }) : undefined;
    const field = constraint?.code === '23505' ? uniqueField(constraint.constraint) : undefined;
    if (field) throw Errors.AccountExists(field);
    throw err;
  }
}

/** Registration, password (+ second factor) login, and the token pairs that follow. */
export class AccountService {
  readonly #options: AccountServiceOptions;
  readonly refreshTokens: RefreshTokenStore;
  #dummyHash: Promise<string> | undefined;

  constructor(options: AccountServiceOptions) {
    this.#options = options;
    this.refreshTokens = new RefreshTokenStore(options.dataSource, options.refreshTtlS, options.sessionMaxAgeS);
  }

  /**
   * Creates a client or designer account (admins are never self-registered).
   * @throws HM_ERR_AUTH_ACCOUNT_EXISTS for a taken username, email or designer display name.
   */
  async register(input: RegisterInput): Promise<PublicUser> {
    return createAccount(this.#options.dataSource, { ...input, role: input.role ?? 'client' });
  }

  /**
   * Checks the password and, when the account has two-factor authentication, the code (TOTP or
   * a recovery code, which is used up).
   * @throws HM_ERR_AUTH_INVALID_CREDENTIALS, HM_ERR_AUTH_TOTP_REQUIRED or HM_ERR_AUTH_TOTP_INVALID.
   */
  async authenticate(usernameInput: string, password: string, code: string | undefined): Promise<User> {
    const user = await this.#options.dataSource.manager.findOneBy(User, { username: normaliseUsername(usernameInput) });
    // Without an account, still spend a hash's time: response times must not tell which names exist.
    const isPasswordRight = await verifyPassword(password, user?.passwordHash ?? await this.#getDummyHash());
    if (!user || !isPasswordRight) throw Errors.InvalidCredentials();
    // Said only to whoever knows the password: it tells the owner why, and a guesser nothing.
    if (user.disabledAt) throw Errors.AccountDisabled();
    if (user.totpEnabled) {
      if (!code) throw Errors.TotpRequired();
      if (!(await this.verifySecondFactor(user, code))) throw Errors.TotpInvalid();
    }
    // A hash made with an older, lower cost is replaced now that the password is at hand.
    // (Only while the stored hash is still that one: a password changed meanwhile stays changed.)
    if (needsRehash(user.passwordHash)) {
      const fresh = await hashPassword(password);
      await this.#options.dataSource.manager.update(User, { id: user.id, passwordHash: user.passwordHash }, { passwordHash: fresh });
      user.passwordHash = fresh;
    }
    return user;
  }

  /**
   * Proves the caller of a sensitive change is the owner, not just a holder of an access token:
   * the password, and the second factor too when the account has one and `withCode`.
   * @throws HM_ERR_AUTH_INVALID_CREDENTIALS, HM_ERR_AUTH_TOTP_REQUIRED or HM_ERR_AUTH_TOTP_INVALID.
   */
  async reauthenticate(userId: string, password: string, code: string | undefined, withCode: boolean): Promise<User> {
    const user = await this.findUser(userId);
    if (!(await verifyPassword(password, user.passwordHash))) throw Errors.InvalidCredentials();
    if (!withCode || !user.totpEnabled) return user;
    if (!code) throw Errors.TotpRequired();
    if (!(await this.verifySecondFactor(user, code))) throw Errors.TotpInvalid();
    return user;
  }

  /**
   * After a change of password or second factor: every session of the user ends, and the caller
   * gets a new one (or, for a role that now lacks its required 2FA, none).
   */
  async restartSessions(userId: string): Promise<SessionTokens | null> {
    await this.refreshTokens.revokeAllFor(userId);
    const user = await this.findUser(userId);
    if (this.#options.require2faRoles.includes(user.role) && !user.totpEnabled) return null;
    return this.startSession(user);
  }

  /** A TOTP code (once per time step) or an unused recovery code (then used up). */
  async verifySecondFactor(user: User, code: string): Promise<boolean> {
    const trimmed = code.trim();
    if (isTotpFormat(trimmed)) {
      return user.totpSecret !== null && verifyTotpOnce(this.#options.dataSource.manager, user, user.totpSecret, trimmed);
    }
    return useRecoveryCode(this.#options.dataSource.manager, user.id, trimmed);
  }

  /**
   * A new access + refresh token pair (a new refresh family).
   * @throws HM_ERR_AUTH_ENROLMENT_REQUIRED (403) for a role in REQUIRE_2FA_ROLES without 2FA; its
   * `details.enrolmentToken` is good only for the 2FA setup and confirm routes.
   */
  async startSession(user: User): Promise<SessionTokens> {
    this.#checkPolicy(user);
    const refreshToken = await this.refreshTokens.issue(user.id);
    return this.#pair(user, refreshToken);
  }

  /**
   * Rotates a refresh token into a new pair, with the account's current role, under the current
   * REQUIRE_2FA_ROLES: a session the policy no longer allows is ended (its family revoked).
   * @throws HM_ERR_AUTH_REFRESH_INVALID (reuse also revokes the family), HM_ERR_AUTH_ENROLMENT_REQUIRED.
   */
  async refresh(refreshToken: string): Promise<SessionTokens> {
    const next = await this.refreshTokens.rotate(refreshToken);
    const user = await this.#options.dataSource.manager.findOneBy(User, { id: next.userId });
    if (!user) throw Errors.RefreshInvalid();
    try {
      if (user.disabledAt) throw Errors.AccountDisabled();
      this.#checkPolicy(user);
    } catch (err) {
      await this.refreshTokens.revokeFamily(next.familyId);
      throw err;
    }
    return this.#pair(user, next.token);
  }

  /**
   * Ends the sessions the current REQUIRE_2FA_ROLES no longer allows (run at start, so a policy
   * change takes effect at once, not at each session's next refresh).
   * @returns how many refresh tokens were revoked.
   */
  async enforcePolicy(): Promise<number> {
    if (this.#options.require2faRoles.length === 0) return 0;
    const [, affected] = await this.#options.dataSource.query(
      `UPDATE refresh_tokens SET revoked_at = now() WHERE revoked_at IS NULL AND user_id IN
         (SELECT id FROM users WHERE role = ANY($1) AND NOT totp_enabled)`,
      [[...this.#options.require2faRoles]],
    ) as [unknown, number];
    return affected;
  }

  /**
   * Changes the password (the current one, and the second factor when enabled, must be given),
   * signs every session out and starts a new one.
   * @throws as {@link authenticate}; HM_ERR_AUTH_PASSWORD_WEAK for a weak new password.
   */
  async changePassword(userId: string, currentPassword: string, newPassword: string, code: string | undefined): Promise<SessionTokens> {
    const user = await this.findUser(userId);
    await this.authenticate(user.username, currentPassword, code);
    assertStrongPassword(newPassword, user);
    const passwordHash = await hashPassword(newPassword);
    await this.#options.dataSource.transaction(async (manager) => {
      await manager.update(User, { id: user.id }, { passwordHash });
      await this.refreshTokens.revokeAllFor(user.id, manager);
    });
    return this.startSession({ ...user, passwordHash });
  }

  /** @throws HM_ERR_AUTH_ENROLMENT_REQUIRED (403) for a role in REQUIRE_2FA_ROLES without 2FA. */
  #checkPolicy(user: User): void {
    if (!this.#options.require2faRoles.includes(user.role) || user.totpEnabled) return;
    const base = Errors.EnrolmentRequired(user.role);
    throw new HoloMeshError(base.code, base.statusCode, base.message, {
      enrolmentToken: this.#options.tokens.issueEnrolmentToken({ userId: user.id, username: user.username, role: user.role }),
      expiresIn: ENROLMENT_TOKEN_TTL_S,
    });
  }

  async logout(refreshToken: string): Promise<void> {
    await this.refreshTokens.revoke(refreshToken);
  }

  async findUser(userId: string): Promise<User> {
    const user = await this.#options.dataSource.manager.findOneBy(User, { id: userId });
    if (!user) throw Errors.Unauthenticated('the account no longer exists');
    return user;
  }

  #pair(user: User, refreshToken: string): SessionTokens {
    const accessToken = this.#options.tokens.issueAccessToken({ userId: user.id, username: user.username, role: user.role });
    return { accessToken, refreshToken, tokenType: 'Bearer', expiresIn: this.#options.tokens.accessTtlS, user: toPublicUser(user) };
  }

  #getDummyHash(): Promise<string> {
    return (this.#dummyHash ??= hashPassword('not a real password'));
  }
}
