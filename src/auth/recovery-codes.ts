import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { IsNull, type EntityManager } from 'typeorm';
import { RecoveryCode } from '../db/entities/recovery-code.js';
import { hashSecret, verifySecret, type ScryptCost } from './passwords.js';

/** How many codes confirming two-factor authentication hands out. */
export const RECOVERY_CODE_COUNT = 10;
// Crockford-style alphabet without look-alikes (no i, l, o, u): 5 bits per character, so 24
// characters carry 120 bits (ASVS 2.6.2 asks for at least 112).
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const CODE_LENGTH = 24;
/** Codes handed out before: 10 characters, stored as plain SHA-256; still accepted until used or replaced. */
const LEGACY_CODE_LENGTH = 10;
// 120 random bits need no key stretching to resist guessing; the salted scrypt keeps a leaked
// table from being checked quickly all the same, at a cost (~16 MiB, a few ms) that ten codes can afford.
const CODE_COST: ScryptCost = { N: 2 ** 14, r: 8, p: 1 };

/** Lower case without separators or spaces: what users type is compared in this form. */
export function normaliseRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, '');
}

/** Looks like a recovery code (as opposed to a 6-digit TOTP code). */
export function isRecoveryCodeFormat(code: string): boolean {
  const plain = normaliseRecoveryCode(code);
  return (plain.length === CODE_LENGTH || plain.length === LEGACY_CODE_LENGTH) && [...plain].every((c) => ALPHABET.includes(c));
}

function newCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return code.match(/.{4}/g)!.join('-');
}

async function matches(plain: string, stored: string): Promise<boolean> {
  if (stored.startsWith('scrypt$')) return verifySecret(plain, stored);
  const legacy = Buffer.from(createHash('sha256').update(plain).digest('hex'));
  return legacy.length === stored.length && timingSafeEqual(legacy, Buffer.from(stored));
}

/** Replaces the user's recovery codes with fresh ones; returns them in clear, the only time they exist so. */
export async function replaceRecoveryCodes(manager: EntityManager, userId: string): Promise<string[]> {
  const codes = new Set<string>();
  while (codes.size < RECOVERY_CODE_COUNT) codes.add(newCode());
  const hashes = await Promise.all([...codes].map((code) => hashSecret(normaliseRecoveryCode(code), CODE_COST)));
  await manager.delete(RecoveryCode, { userId });
  await manager.insert(RecoveryCode, hashes.map((codeHash) => ({ userId, codeHash, usedAt: null })));
  return [...codes];
}

/** Spends a recovery code: true once per code (atomic, so two racing logins cannot both use it). */
export async function useRecoveryCode(manager: EntityManager, userId: string, code: string): Promise<boolean> {
  if (!isRecoveryCodeFormat(code)) return false;
  const plain = normaliseRecoveryCode(code);
  // Salted hashes cannot be looked up: check the user's unused codes (at most ten) one by one.
  for (const row of await manager.findBy(RecoveryCode, { userId, usedAt: IsNull() })) {
    if (!(await matches(plain, row.codeHash))) continue;
    const result = await manager.update(RecoveryCode, { id: row.id, usedAt: IsNull() }, { usedAt: new Date() });
    return (result.affected ?? 0) === 1;
  }
  return false;
}

/** How many unused codes the user has left. */
export function countRecoveryCodes(manager: EntityManager, userId: string): Promise<number> {
  return manager.countBy(RecoveryCode, { userId, usedAt: IsNull() });
}
