import { createHash, randomBytes } from 'node:crypto';
import { IsNull, QueryFailedError, type DataSource, type EntityManager } from 'typeorm';
import { DeviceCredential } from '../db/entities/index.js';
import type { Role } from '../db/entities/index.js';
import { Errors } from '../errors.js';
import type { VerifiedPrincipal } from './tokens.js';

/** Every device token starts with it: the auth plugin tells them from JWTs without parsing. */
export const DEVICE_TOKEN_PREFIX = 'hmd_';
/** Live credentials one account may hold (a household's speakers and headsets, with room to spare). */
export const MAX_DEVICES_PER_USER = 20;
/** `last_used_at` is written at most this often per device: a speaker's every request must not write. */
export const LAST_USE_STEP_S = 60;
const MAX_NAME_LENGTH = 64;
// Letters, digits, spaces and common punctuation: a name shows up in lists and the console.
const NAME = /^[\p{L}\p{N}][\p{L}\p{N} _.,'()-]*$/u;

/** What the API and the CLI show of a device credential (never its token or hash). */
export interface PublicDevice {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
  /** When it was last used, to the minute; null when never. */
  readonly lastUsedAt: string | null;
}

/** The caller as proven by a device credential: the account's, marked with the device. */
export interface DevicePrincipal extends VerifiedPrincipal {
  readonly deviceId: string;
}

/** The pub/sub channel a revocation of `deviceId` is announced on (its open voice sessions close). */
export function deviceChannel(deviceId: string): string {
  return `device-revoked:${deviceId}`;
}

export function isDeviceToken(token: string): boolean {
  return token.startsWith(DEVICE_TOKEN_PREFIX);
}

export function hashDeviceToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function toPublicDevice(row: DeviceCredential): PublicDevice {
  return { id: row.id, name: row.name, createdAt: row.createdAt.toISOString(), lastUsedAt: row.lastUsedAt?.toISOString() ?? null };
}

/**
 * The trimmed name, or a 400 saying what is wrong with it.
 * @throws HM_ERR_REQUEST_INVALID
 */
export function checkDeviceName(input: string): string {
  const name = input.trim().replace(/\s+/g, ' ');
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) throw Errors.BadRequest(`a device name has 1 to ${MAX_NAME_LENGTH} characters`);
  if (!NAME.test(name)) throw Errors.BadRequest("a device name starts with a letter or digit and holds letters, digits, spaces and _ . , ' ( ) -");
  return name;
}

/**
 * Device credentials: 256 random bits shown once, stored as SHA-256, good until revoked. Every
 * use is checked against the database (one indexed read), so a revocation holds on every
 * instance at once; nothing caches a credential.
 */
export class DeviceCredentialStore {
  readonly #dataSource: DataSource;

  constructor(dataSource: DataSource) {
    this.#dataSource = dataSource;
  }

  /**
   * A new credential for `userId`; the token is returned in clear only here.
   * @throws HM_ERR_REQUEST_INVALID for a bad name, HM_ERR_AUTH_DEVICE_EXISTS for a name in use,
   * HM_ERR_AUTH_DEVICE_LIMIT beyond {@link MAX_DEVICES_PER_USER}.
   */
  async create(userId: string, nameInput: string): Promise<{ device: PublicDevice; token: string }> {
    const name = checkDeviceName(nameInput);
    const token = DEVICE_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    try {
      const row = await this.#dataSource.transaction(async (manager) => {
        // The user's row lock serialises two creations for one account (the limit holds under races).
        await manager.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [userId]);
        const live = await manager.find(DeviceCredential, { where: { userId, revokedAt: IsNull() } });
        if (live.some((d) => d.name.toLowerCase() === name.toLowerCase())) throw Errors.DeviceExists(name);
        if (live.length >= MAX_DEVICES_PER_USER) throw Errors.DeviceLimit(MAX_DEVICES_PER_USER);
        return manager.save(manager.create(DeviceCredential, { userId, name, tokenHash: hashDeviceToken(token), lastUsedAt: null, revokedAt: null }));
      });
      return { device: toPublicDevice(row), token };
    } catch (err) {
      const driver = err instanceof QueryFailedError ? (err.driverError as { code?: string; constraint?: string }) : undefined;
      if (driver?.code === '23505' && driver.constraint === 'device_credentials_live_name_key') throw Errors.DeviceExists(name);
      throw err;
    }
  }

  /** The live credentials of `userId`, oldest first. */
  async list(userId: string): Promise<PublicDevice[]> {
    const rows = await this.#dataSource.manager.find(DeviceCredential, { where: { userId, revokedAt: IsNull() }, order: { createdAt: 'ASC' } });
    return rows.map(toPublicDevice);
  }

  /** Revokes one credential of `userId`; false when it has none by that id (or it was revoked). */
  async revoke(userId: string, deviceId: string): Promise<boolean> {
    const { affected } = await this.#dataSource.manager.update(DeviceCredential, { id: deviceId, userId, revokedAt: IsNull() }, { revokedAt: new Date() });
    return (affected ?? 0) > 0;
  }

  /** Revokes every credential of `userId` (the account was disabled); returns their ids. */
  async revokeAllFor(userId: string, manager: EntityManager = this.#dataSource.manager): Promise<string[]> {
    const live = await manager.find(DeviceCredential, { select: { id: true }, where: { userId, revokedAt: IsNull() } });
    if (live.length > 0) await manager.update(DeviceCredential, { userId, revokedAt: IsNull() }, { revokedAt: new Date() });
    return live.map((d) => d.id);
  }

  /**
   * The principal a device token stands for, or null when it is unknown, revoked or its account is
   * disabled. Records the use (at most once per {@link LAST_USE_STEP_S}).
   */
  async verify(token: string): Promise<DevicePrincipal | null> {
    if (!isDeviceToken(token) || token.length > 128) return null;
    const rows = await this.#dataSource.query(
      `SELECT d.id, d.user_id AS "userId", d.last_used_at AS "lastUsedAt", u.username, u.role
         FROM device_credentials d JOIN users u ON u.id = d.user_id
        WHERE d.token_hash = $1 AND d.revoked_at IS NULL AND u.disabled_at IS NULL`,
      [hashDeviceToken(token)],
    ) as { id: string; userId: string; lastUsedAt: Date | null; username: string; role: Role }[];
    const row = rows[0];
    if (!row) return null;
    if (!row.lastUsedAt || Date.now() - new Date(row.lastUsedAt).getTime() >= LAST_USE_STEP_S * 1000) {
      // Conditional, so instances racing on the same device write once.
      await this.#dataSource.query(
        `UPDATE device_credentials SET last_used_at = now()
          WHERE id = $1 AND (last_used_at IS NULL OR last_used_at <= now() - make_interval(secs => $2))`,
        [row.id, LAST_USE_STEP_S],
      );
    }
    // A device credential has no expiry: it lasts until revoked.
    return { userId: row.userId, username: row.username, role: row.role, expiresAt: Number.POSITIVE_INFINITY, deviceId: row.id };
  }

  /** True while the credential is live and its account enabled (an open voice session asks before each command). */
  async isLive(deviceId: string): Promise<boolean> {
    const rows = await this.#dataSource.query(
      `SELECT 1 FROM device_credentials d JOIN users u ON u.id = d.user_id
        WHERE d.id = $1 AND d.revoked_at IS NULL AND u.disabled_at IS NULL`,
      [deviceId],
    ) as unknown[];
    return rows.length > 0;
  }
}
