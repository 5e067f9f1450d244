import { generate, generateSecret, generateURI, verify } from 'otplib';
import type { EntityManager } from 'typeorm';
import { User } from '../db/entities/user.js';

/** RFC 6238 as authenticator apps expect it: SHA-1, 6 digits, 30-second steps. */
export const TOTP_PERIOD_S = 30;
const ISSUER = 'HoloMesh';
// One step either side absorbs clock drift between the phone and the server.
const TOLERANCE_S = TOTP_PERIOD_S;

/** A new random Base32 secret (160 bits). */
export function createTotpSecret(): string {
  return generateSecret();
}

/** The `otpauth://totp/…` URI an authenticator app scans (as a QR code) or imports. */
export function totpUri(secret: string, accountName: string): string {
  return generateURI({ issuer: ISSUER, label: accountName, secret, period: TOTP_PERIOD_S });
}

/** The current code for `secret` (tests, and the CLI if it ever needs one). */
export function currentTotp(secret: string, epochS?: number): Promise<string> {
  return generate({ secret, period: TOTP_PERIOD_S, ...(epochS === undefined ? {} : { epoch: epochS }) });
}

export function isTotpFormat(code: string): boolean {
  return /^\d{6}$/.test(code);
}

/**
 * Checks a TOTP code and spends its time step: a code is accepted once, and neither it nor an
 * older one is accepted after it. The last used step is kept in the user's row in PostgreSQL,
 * so this holds across instances and restarts of the session store; the conditional UPDATE
 * lets exactly one of two requests racing with the same code win.
 */
export async function verifyTotpOnce(manager: EntityManager, user: Pick<User, 'id' | 'totpLastStep'>, secret: string, code: string): Promise<boolean> {
  if (!isTotpFormat(code)) return false;
  const last = user.totpLastStep;
  const result = await verify({
    secret, token: code, period: TOTP_PERIOD_S, epochTolerance: TOLERANCE_S,
    ...(last === null ? {} : { afterTimeStep: last }),
  });
  // (HOTP results have no time step; a TOTP verification always has one.)
  if (!result.valid || !('timeStep' in result)) return false;
  const spent = await manager.createQueryBuilder().update(User).set({ totpLastStep: result.timeStep })
    .where('id = :id AND (totp_last_step IS NULL OR totp_last_step < :step)', { id: user.id, step: result.timeStep })
    .execute();
  return spent.affected === 1;
}
