import { createHash, randomInt } from 'node:crypto';
import { IsNull, type EntityManager } from 'typeorm';
import { RecoveryCode } from '../db/entities/recovery-code.js';

/** How many codes confirming two-factor authentication hands out. */
export const RECOVERY_CODE_COUNT = 10;
// Crockford-style alphabet without look-alikes (no i, l, o, u); 10 characters = 50 bits per code.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const CODE_LENGTH = 10;

/** Lower case without separators or spaces: what users type is compared in this form. */
export function normaliseRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, '');
}

export function hashRecoveryCode(code: string): string {
  return createHash('sha256').update(normaliseRecoveryCode(code)).digest('hex');
}

/** Looks like a recovery code (as opposed to a 6-digit TOTP code). */
export function isRecoveryCodeFormat(code: string): boolean {
  const plain = normaliseRecoveryCode(code);
  return plain.length === CODE_LENGTH && [...plain].every((c) => ALPHABET.includes(c));
}

function newCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

/** Replaces the user's recovery codes with fresh ones; returns them in clear, the only time they exist so. */
export async function replaceRecoveryCodes(manager: EntityManager, userId: string): Promise<string[]> {
  const codes = new Set<string>();
  while (codes.size < RECOVERY_CODE_COUNT) codes.add(newCode());
  await manager.delete(RecoveryCode, { userId });
  await manager.insert(RecoveryCode, [...codes].map((code) => ({ userId, codeHash: hashRecoveryCode(code), usedAt: null })));
  return [...codes];
}

/** Spends a recovery code: true once per code (atomic, so two racing logins cannot both use it). */
export async function useRecoveryCode(manager: EntityManager, userId: string, code: string): Promise<boolean> {
  if (!isRecoveryCodeFormat(code)) return false;
  const result = await manager.update(RecoveryCode, { userId, codeHash: hashRecoveryCode(code), usedAt: IsNull() }, { usedAt: new Date() });
  return (result.affected ?? 0) === 1;
}

/** How many unused codes the user has left. */
export function countRecoveryCodes(manager: EntityManager, userId: string): Promise<number> {
  return manager.countBy(RecoveryCode, { userId, usedAt: IsNull() });
}
