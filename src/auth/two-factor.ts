import type { DataSource } from 'typeorm';
import { User } from '../db/entities/index.js';
import { Errors } from '../errors.js';
import { createTotpSecret, totpUri, verifyTotpOnce } from './totp.js';
import { replaceRecoveryCodes } from './recovery-codes.js';
import { RecoveryCode } from '../db/entities/recovery-code.js';

export interface TotpSetup {
  /** `otpauth://totp/…` for a QR code. */
  readonly otpauthUri: string;
  /** The same secret in Base32, for typing into an app by hand. */
  readonly secret: string;
}

/**
 * Enrolment in TOTP two-factor authentication: setup stores a new secret (encrypted by the
 * column transformer) without enabling it; confirm proves the app has it, enables it and hands
 * out one-time recovery codes.
 */
export class TwoFactorService {
  readonly #dataSource: DataSource;

  constructor(dataSource: DataSource) {
    this.#dataSource = dataSource;
  }

  /**
   * A new secret for `userId`, replacing any unconfirmed one.
   * @throws HM_ERR_AUTH_TOTP_STATE when 2FA is already enabled.
   */
  async setup(userId: string): Promise<TotpSetup> {
    const user = await this.#findUser(userId);
    if (user.totpEnabled) throw Errors.TotpState('two-factor authentication is already enabled');
    const secret = createTotpSecret();
    // save() (not update()) so the column transformer encrypts the secret.
    user.totpSecret = secret;
    await this.#dataSource.manager.save(user);
    return { otpauthUri: totpUri(secret, user.username), secret };
  }

  /**
   * Enables 2FA when `code` matches the pending secret; returns the recovery codes in clear.
   * @returns null when the code is wrong (the caller counts the failure).
   * @throws HM_ERR_AUTH_TOTP_STATE when there is nothing to confirm.
   */
  async confirm(userId: string, code: string): Promise<string[] | null> {
    const user = await this.#findUser(userId);
    if (user.totpEnabled) throw Errors.TotpState('two-factor authentication is already enabled');
    if (!user.totpSecret) throw Errors.TotpState('start with POST /v1/auth/2fa/setup');
    if (!(await verifyTotpOnce(this.#dataSource.manager, user, user.totpSecret, code.trim()))) return null;
    return this.#dataSource.transaction(async (manager) => {
      // Only the first of two racing confirmations enables it and gets codes.
      const result = await manager.update(User, { id: user.id, totpEnabled: false }, { totpEnabled: true });
      if ((result.affected ?? 0) !== 1) throw Errors.TotpState('two-factor authentication is already enabled');
      return replaceRecoveryCodes(manager, user.id);
    });
  }

  /** Turns two-factor authentication off: forgets the secret and the recovery codes. */
  async disable(userId: string): Promise<void> {
    await this.#dataSource.transaction(async (manager) => {
      await manager.update(User, { id: userId }, { totpEnabled: false, totpSecret: null });
      await manager.delete(RecoveryCode, { userId });
    });
  }

  /**
   * New recovery codes in place of the old ones (all of which stop working).
   * @throws HM_ERR_AUTH_TOTP_STATE when 2FA is not enabled.
   */
  async regenerateRecoveryCodes(userId: string): Promise<string[]> {
    const user = await this.#findUser(userId);
    if (!user.totpEnabled) throw Errors.TotpState('two-factor authentication is not enabled');
    return this.#dataSource.transaction((manager) => replaceRecoveryCodes(manager, userId));
  }

  async #findUser(userId: string): Promise<User> {
    const user = await this.#dataSource.manager.findOneBy(User, { id: userId });
    if (!user) throw Errors.Unauthenticated('the account no longer exists');
    return user;
  }
}
