import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { IsNull, Not, type DataSource, type EntityManager } from 'typeorm';
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
  readonly familyId: string;
}

/**
 * Opaque refresh tokens (256 random bits), stored only as SHA-256. Each use rotates the token;
 * using a rotated or revoked token again means it was stolen (or the client is broken), so the
 * whole family — every token descended from that login — is revoked.
 */
export class RefreshTokenStore {
  readonly #dataSource: DataSource;
  readonly #ttlS: number;
  readonly #maxAgeS: number;

  /**
   * @param ttlS lifetime of each token (an idle session ends after it).
   * @param maxAgeS absolute lifetime of a family: no rotation outlives its login by more.
   */
  constructor(dataSource: DataSource, ttlS: number, maxAgeS: number = Number.POSITIVE_INFINITY) {
    this.#dataSource = dataSource;
    this.#ttlS = ttlS;
    this.#maxAgeS = maxAgeS;
  }

  /** Starts a new family (a login); returns the token in clear. */
  async issue(userId: string, manager: EntityManager = this.#dataSource.manager): Promise<string> {
    const { token } = await this.#insert(manager, userId, randomUUID(), this.#expiry(Date.now()));
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
      // The family's first token is its login: the session ends maxAgeS after it, however often it rotates.
      const [{ started }] = await manager.query('SELECT min(created_at) AS started FROM refresh_tokens WHERE family_id = $1', [row.familyId]) as [{ started: Date }];
      const expiresAt = this.#expiry(new Date(started).getTime());
      if (expiresAt.getTime() <= Date.now()) return { kind: 'ended' as const };
      const next = await this.#insert(manager, row.userId, row.familyId, expiresAt);
      await manager.update(RefreshToken, { id: row.id }, { replacedBy: next.id });
      return { kind: 'ok' as const, userId: row.userId, token: next.token, familyId: row.familyId };
    });
    if (outcome.kind === 'reused') throw Errors.RefreshInvalid('this refresh token was already used: every session of that login is now signed out');
    if (outcome.kind === 'invalid') throw Errors.RefreshInvalid();
    if (outcome.kind === 'ended') throw Errors.RefreshInvalid('the session has reached its maximum age: sign in again');
    return { userId: outcome.userId, token: outcome.token, familyId: outcome.familyId };
  }

  /** Revokes the family of `token` (logout). Unknown tokens are ignored: logout is idempotent. */
  async revoke(token: string): Promise<void> {
    const row = await this.#dataSource.manager.findOneBy(RefreshToken, { tokenHash: hashRefreshToken(token) });
    if (row) await this.#revokeFamily(this.#dataSource.manager, row.familyId);
  }

  /** Revokes every token of a user (password or second-factor change, account lock). */
  async revokeAllFor(userId: string, manager: EntityManager = this.#dataSource.manager): Promise<void> {
    await manager.update(RefreshToken, { userId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }

  /**
   * Revokes every login of `userId` but the one `keepToken` belongs to ("sign out my other
   * sessions").
   * @throws HM_ERR_AUTH_REFRESH_INVALID when `keepToken` is not a live token of that user.
   */
  async revokeOthers(userId: string, keepToken: string): Promise<void> {
    const kept = await this.#dataSource.manager.findOneBy(RefreshToken, { tokenHash: hashRefreshToken(keepToken), userId, revokedAt: IsNull(), replacedBy: IsNull() });
    if (!kept) throw Errors.RefreshInvalid('send the refresh token of this session, to keep it signed in');
    await this.#dataSource.manager.update(RefreshToken, { userId, revokedAt: IsNull(), familyId: Not(kept.familyId) }, { revokedAt: new Date() });
  }

  /** Revokes one login's family (a refresh the current policy no longer allows). */
  async revokeFamily(familyId: string): Promise<void> {
    await this.#revokeFamily(this.#dataSource.manager, familyId);
  }

  /** When a token issued at `startMs` (or rotated in a family started then) expires. */
  #expiry(startMs: number): Date {
    return new Date(Math.min(Date.now() + this.#ttlS * 1000, startMs + this.#maxAgeS * 1000));
  }

  async #revokeFamily(manager: EntityManager, familyId: string): Promise<void> {
    await manager.update(RefreshToken, { familyId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }

  async #insert(manager: EntityManager, userId: string, familyId: string, expiresAt: Date): Promise<{ id: string; token: string }> {
    const token = PREFIX + randomBytes(32).toString('base64url');
    const id = randomUUID();
    await manager.insert(RefreshToken, {
      id,
      tokenHash: hashRefreshToken(token),
      familyId,
      userId,
      expiresAt,
      revokedAt: null,
      replacedBy: null,
    });
    return { id, token };
  }
}
