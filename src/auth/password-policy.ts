import { Errors } from '../errors.js';
import { COMMON_PASSWORD_ROOTS } from './common-passwords.js';

/** ASVS 2.1.1: at least 12 characters (after NFKC normalisation, as hashed). */
export const MIN_PASSWORD_LENGTH = 12;

const COMMON_ROOTS: ReadonlySet<string> = new Set(COMMON_PASSWORD_ROOTS.map(fold));

// Keyboard rows and counting runs: a password that is a stretch of one of these (either way) is no secret.
const RUNS = ['abcdefghijklmnopqrstuvwxyz', '01234567890123456789', 'qwertyuiopasdfghjklzxcvbnm', '1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p', 'zaq1xsw2cde3vfr4bgt5nhy6mju7'];

/** Lower case, digits and symbols that stand for letters folded back to them (`P@ssw0rd` → `password`). */
function fold(text: string): string {
  const leet: Record<string, string> = { '@': 'a', '4': 'a', '3': 'e', '1': 'i', '!': 'i', '0': 'o', '$': 's', '5': 's', '7': 't' };
  return text.normalize('NFKC').toLowerCase().replace(/[@43!10$57]/g, (c) => leet[c]!);
}

/**
 * Why `password` is too weak, or null when it is acceptable: shorter than 12 characters, a
 * common password (a root from the shipped list, alone or with digits and symbols around it,
 * or repeated), a keyboard or counting run, fewer than 5 distinct characters, a repetition of a
 * short pattern, or containing the username or the email's local part.
 */
export function passwordWeakness(password: string, account: { readonly username?: string; readonly email?: string } = {}): string | null {
  const normalised = password.normalize('NFKC');
  if ([...normalised].length < MIN_PASSWORD_LENGTH) return `use at least ${MIN_PASSWORD_LENGTH} characters`;
  const lower = normalised.toLowerCase();
  if (new Set(lower).size < 5) return 'use more different characters';
  if (/^(.{1,6}?)\1+$/su.test(lower)) return 'do not repeat a short pattern';
  const compact = lower.replace(/[\s\-_.]/g, '');
  if (RUNS.some((run) => run.includes(compact) || [...run].reverse().join('').includes(compact))) return 'do not use a keyboard or counting sequence';
  // Digits and symbols around a word are the usual padding ("password1234!"); inside it they stand for letters ("p@ssw0rd").
  const core = fold(compact.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, ''));
  const letters = compact.replace(/[^\p{L}]/gu, '');
  if ([core, letters].some((word) => COMMON_ROOTS.has(word) || isRepeatedRoot(word))) return 'this is one of the most common passwords';
  for (const part of [account.username, account.email?.split('@')[0]]) {
    if (part && part.length >= 4 && lower.includes(part.toLowerCase())) return 'do not include your username or email address';
  }
  return null;
}

function isRepeatedRoot(letters: string): boolean {
  const match = /^(.+?)\1+$/.exec(letters);
  return match !== null && COMMON_ROOTS.has(match[1]!);
}

/** @throws HM_ERR_AUTH_PASSWORD_WEAK saying why. */
export function assertStrongPassword(password: string, account: { readonly username?: string; readonly email?: string } = {}): void {
  const weakness = passwordWeakness(password, account);
  if (weakness) throw Errors.PasswordWeak(weakness);
}
