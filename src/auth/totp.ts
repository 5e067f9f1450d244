import { generate, generateSecret, generateURI, verify } from 'otplib';
import type { SessionStore } from '../cache/session-store.js';

/** RFC 6238 as authenticator apps expect it: SHA-1, 6 digits, 30-second steps. */
export const TOTP_PERIOD_S = 30;
const ISSUER = 'HoloMesh';
// One step either side absorbs clock drift between the phone and the server.
const TOLERANCE_S = TOTP_PERIOD_S;
// Longer than the whole acceptance window (±1 step), so a used step is remembered while it could be replayed.
const REPLAY_TTL_S = 4 * TOTP_PERIOD_S;

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
 * older one from the same window is accepted after it (the last used step is kept per user in
 * the session store, so this holds across instances sharing Redis).
 */
export async function verifyTotpOnce(store: SessionStore, userId: string, secret: string, code: string): Promise<boolean> {
  if (!isTotpFormat(code)) return false;
  const lastKey = `auth:totp-last:${userId}`;
  const last = await store.get<number>(lastKey);
  const result = await verify({
    secret, token: code, period: TOTP_PERIOD_S, epochTolerance: TOLERANCE_S,
    ...(last === null ? {} : { afterTimeStep: last }),
  });
  // (HOTP results have no time step; a TOTP verification always has one.)
  if (!result.valid || !('timeStep' in result)) return false;
  // Two requests racing with the same code both pass the check above; exactly one wins this counter.
  const claims = await store.increment(`auth:totp-used:${userId}:${result.timeStep}`, REPLAY_TTL_S);
  if (claims !== 1) return false;
  if (last === null || result.timeStep > last) await store.set(lastKey, result.timeStep, REPLAY_TTL_S);
  return true;
}
