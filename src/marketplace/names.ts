import type { EntityManager } from 'typeorm';

/**
 * Names people buy by — chip names and designer display names — must not pass for one another.
 *
 * Policy (UTS #39 in spirit, sized to a catalogue spoken in English):
 * 1. NFKC first: fullwidth, mathematical, ligature and superscript forms become plain letters.
 * 2. Invisible characters (default-ignorable: zero-width spaces and joiners, bidi controls …),
 *    controls, private-use and unassigned code points are refused outright.
 * 3. Letters must be Latin script (diacritics allowed) and digits ASCII. The recogniser hears
 *    English, so a name in another script could not be said anyway; and this one rule removes
 *    every Cyrillic, Greek, Cherokee … look-alike of a Latin letter, which is most of
 *    confusables.txt. Punctuation and symbols are free.
 * 4. The skeleton that is compared: diacritics, case, spaces and punctuation dropped, and the few
 *    Latin-internal look-alikes that UTS #39 lists and NFKC leaves (0/o, 1/l/I, rn/m, vv/w, cl/d,
 *    small capitals, Latin alpha and script g) folded. Two names with one skeleton are confusable.
 * A full confusables table (e.g. the `unhomoglyph` package) would only matter for other scripts,
 * which rule 3 refuses.
 */

const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}]/u;
const NON_LATIN_LETTER = /(?![\p{Script=Latin}])\p{L}/u;
const NON_ASCII_DIGIT = /(?![0-9])\p{N}/u;

// Latin letters NFKC keeps that look like other Latin letters (from UTS #39 confusables.txt).
const LATIN_LOOKALIKES: Readonly<Record<string, string>> = {
  'ᴀ': 'a', 'ʙ': 'b', 'ᴄ': 'c', 'ᴅ': 'd', 'ᴇ': 'e', 'ꜰ': 'f', 'ɢ': 'g', 'ʜ': 'h', 'ɪ': 'l', 'ᴊ': 'j', 'ᴋ': 'k', 'ʟ': 'l',
  'ᴍ': 'm', 'ɴ': 'n', 'ᴏ': 'o', 'ᴘ': 'p', 'ʀ': 'r', 'ꜱ': 's', 'ᴛ': 't', 'ᴜ': 'u', 'ᴠ': 'v', 'ᴡ': 'w', 'ʏ': 'y', 'ᴢ': 'z',
  'ɑ': 'a', 'ɡ': 'g', 'ı': 'l', 'ȷ': 'j', 'ɩ': 'l', 'ǀ': 'l', 'ĸ': 'k', 'ʋ': 'u', 'ɒ': 'a', 'ø': 'o', 'đ': 'd', 'ħ': 'h', 'ł': 'l',
  '0': 'o', '1': 'l', 'i': 'l',
};
const SEQUENCES: readonly (readonly [RegExp, string])[] = [[/rn/g, 'm'], [/vv/g, 'w'], [/cl/g, 'd']];

/** Why a name may not be used, or null when it may. */
export function nameProblem(name: string): string | null {
  const n = name.normalize('NFKC');
  if (INVISIBLE.test(n)) return 'it contains invisible or control characters';
  if (NON_LATIN_LETTER.test(n)) return 'letters must be from the Latin alphabet';
  if (NON_ASCII_DIGIT.test(n)) return 'digits must be 0 to 9';
  if (nameSkeleton(n) === '') return 'it needs at least one letter or digit';
  return null;
}

/** The form two names share when they look alike (see the policy above); not for display. */
export function nameSkeleton(name: string): string {
  let s = name.normalize('NFKC').normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  s = [...s].map((c) => LATIN_LOOKALIKES[c] ?? c).join('').replace(/[^\p{L}\p{N}]/gu, '');
  for (const [pattern, to] of SEQUENCES) s = s.replace(pattern, to);
  return s;
}

export type NameCheck =
  | { readonly kind: 'ok'; readonly name: string }
  | { readonly kind: 'invalid'; readonly reason: string }
  /** `existing`: the name already in use that this one looks like. */
  | { readonly kind: 'confusable'; readonly existing: string };

const SOURCES = {
  chip: 'SELECT name FROM chips',
  designer: 'SELECT display_name AS name FROM designer_profiles',
} as const;

/**
 * Checks a new chip or designer name inside the caller's transaction: allowed characters, and no
 * existing name of that kind with the same skeleton. A transaction-scoped advisory lock on the
 * skeleton makes two concurrent look-alikes wait for each other, so only one gets through.
 * `name` in the answer is the NFKC form to store.
 */
export async function checkNewName(manager: EntityManager, kind: keyof typeof SOURCES, name: string): Promise<NameCheck> {
  const stored = name.normalize('NFKC').trim();
  const problem = nameProblem(stored);
  if (problem !== null) return { kind: 'invalid', reason: problem };
  const skeleton = nameSkeleton(stored);
  await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`name:${kind}:${skeleton}`]);
  const rows = await manager.query(SOURCES[kind]) as { name: string }[];
  const clash = rows.find((r) => nameSkeleton(r.name) === skeleton);
  return clash ? { kind: 'confusable', existing: clash.name } : { kind: 'ok', name: stored };
}
