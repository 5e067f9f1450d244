import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCallback) as (password: string, salt: Buffer, keylen: number, options: ScryptOptions) => Promise<Buffer>;

/** scrypt cost parameters; stored with each hash, so they can grow and old hashes still verify. */
export interface ScryptCost {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

// OWASP's current minimum for scrypt: N=2^17, r=8, p=1 → 128 MiB per hash.
export const PASSWORD_COST: ScryptCost = { N: 2 ** 17, r: 8, p: 1 };
// Room for the largest cost above (128 * N * r bytes) and scrypt's own buffers.
const MAX_MEMORY = 256 * 1024 * 1024;
const KEY_LENGTH = 32;

/** `scrypt$N$r$p$salt$hash` (base64 parts) of a secret, with a fresh random salt. */
export async function hashSecret(secret: string, cost: ScryptCost): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(secret.normalize('NFKC'), salt, KEY_LENGTH, { ...cost, maxmem: MAX_MEMORY });
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

/** True when `secret` matches a hash from {@link hashSecret}; false for any other format. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  // A stored hash is trusted input, but never let it ask for more memory than we allow.
  if (!Number.isInteger(cost.N) || 128 * cost.N * cost.r > MAX_MEMORY / 2) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scrypt(secret.normalize('NFKC'), Buffer.from(salt, 'base64'), expected.length, { ...cost, maxmem: MAX_MEMORY });
  return timingSafeEqual(actual, expected);
}

export function hashPassword(password: string): Promise<string> {
  return hashSecret(password, PASSWORD_COST);
}

export function verifyPassword(password: string, stored: string): Promise<boolean> {
  return verifySecret(password, stored);
}

/** True when `stored` was made with a lower cost than today's: rehash it at the next login. */
export function needsRehash(stored: string): boolean {
  const [scheme, n, r, p] = stored.split('$');
  return scheme !== 'scrypt' || Number(n) < PASSWORD_COST.N || Number(r) < PASSWORD_COST.r || Number(p) < PASSWORD_COST.p;
}

/** A readable random password for generated demo accounts. */
export function generatePassword(): string {
  return randomBytes(12).toString('base64url');
}
