import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { IsNull, type DataSource, type EntityManager } from 'typeorm';
import { RefreshToken } from '../db/entities/refresh-token.js';
import { Errors } from '../errors.js';

const PREFIX = 'hmr_';

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** What a valid refresh token proves: whose it is and which login family it belongs to. */
export interface RefreshedToken {
  readonly userId: string;
  /** The successor to hand back to the client. */
  readonly token: string;
}

/**
 * Opaque refresh tokens (256 random bits), stored only as SHA-256. Each use rotates the token;
 * using a rotated or revoked token again means it was stolen (or the client is broken), so the
 * whole family — every token descended from that login — is revoked.
 */
export class RefreshTokenStore {
  readonly #dataSource: DataSource;
  readonly #ttlS: number;

  constructor(dataSource: DataSource, ttlS: number) {
    this.#dataSource = dataSource;
    this.#ttlS = ttlS;
  }

  /** Starts a new family (a login); returns the token in clear. */
  async issue(userId: string, manager: EntityManager = this.#dataSource.manager): Promise<string> {
    const { token } = await this.#insert(manager, userId, randomUUID());
    return token;
  }

  /**
   * Spends `token` and returns its successor.
   * @throws HM_ERR_AUTH_REFRESH_INVALID when unknown, expired or revoked; on reuse, after revoking the family.
   */
  async rotate(token: string): Promise<RefreshedToken> {
    const outcome = await this.#dataSource.transaction(async (manager) => {
      // The row lock serialises two uses of the same token: the second sees it rotated.
      const row = await manager.findOne(RefreshToken, {
        where: { tokenHash: hashRefreshToken(token) },
        lock: { mode: 'pessimistic_write' },
      });
      if (!row) return { kind: 'invalid' as const };
      if (row.revokedAt || row.replacedBy) {
        await this.#revokeFamily(manager, row.familyId);
        return { kind: 'reused' as const };
      }
      if (row.expiresAt.getTime() <= Date.now()) return { kind: 'invalid' as const };
      const next = await this.#insert(manager, row.userId, row.familyId);
      await manager.update(RefreshToken, { id: row.id }, { replacedBy: next.id });
      return { kind: 'ok' as const, userId: row.userId, token: next.token };
    });
    if (outcome.kind === 'reused') throw Errors.RefreshInvalid('this refresh token was already used: every session of that login is now signed out');
    if (outcome.kind === 'invalid') throw Errors.RefreshInvalid();
    return { userId: outcome.userId, token: outcome.token };
  }

  /** Revokes the family of `token` (logout). Unknown tokens are ignored: logout is idempotent. */
  async revoke(token: string): Promise<void> {
    const row = await this.#dataSource.manager.findOneBy(RefreshToken, { tokenHash: hashRefreshToken(token) });
    if (row) await this.#revokeFamily(this.#dataSource.manager, row.familyId);
  }

  /** Revokes every token of a user (password change, account lock). */
  async revokeAllFor(userId: string): Promise<void> {
    await this.#dataSource.manager.update(RefreshToken, { userId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }

  async #revokeFamily(manager: EntityManager, familyId: string): Promise<void> {
    await manager.update(RefreshToken, { familyId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }

  async #insert(manager: EntityManager, userId: string, familyId: string): Promise<{ id: string; token: string }> {
    const token = PREFIX + randomBytes(32).toString('base64url');
    const id = randomUUID();
    await manager.insert(RefreshToken, {
      id,
      tokenHash: hashRefreshToken(token),
      familyId,
      userId,
      expiresAt: new Date(Date.now() + this.#ttlS * 1000),
      revokedAt: null,
      replacedBy: null,
    });
    return { id, token };
  }
}
