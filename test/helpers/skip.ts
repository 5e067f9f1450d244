/**
 * Skipping for something missing, in one place. On a laptop, tests that need espeak-ng, sox,
 * Chromium, nginx, Debian's acoustic model, or a PostgreSQL or Redis server skip when it is not
 * there, with the reason printed. In CI (`CI=true`) `.ci/run` installs every one of those and
 * starts the servers, so a missing one is breakage: the test file fails instead of skipping.
 */

/** True under CI (`CI=true`, or any value but `0`/`false`, as CI services set it). */
export const isCi = Boolean(process.env.CI) && !['0', 'false'].includes(process.env.CI!.toLowerCase());

/**
 * Whether to skip tests that need a tool or server `.ci/run` provides. `missing` says what is
 * missing and how to get it, or is falsy when it is here.
 * @throws in CI when something is missing, so the suite fails rather than hides it.
 */
export function skipWithout(missing: string | null | undefined | false): boolean {
  if (!missing) return false;
  if (isCi) throw new Error(`CI=true, where .ci/run provides it, yet: ${missing}`);
  console.warn(missing);
  return true;
}

/**
 * Whether to skip tests that need data `.ci/run` does not provide (the real speech recordings
 * beside the checkout): these skip wherever they are missing, CI included.
 */
export function skipWithoutLocalData(missing: string | null | undefined | false): boolean {
  if (!missing) return false;
  console.warn(missing);
  return true;
}

/** Why tests that need a PostgreSQL server skip here ('' when DATABASE_URL names one; otherwise the embedded database serves). */
export const POSTGRES_MISSING = process.env.DATABASE_URL ? '' : 'DATABASE_URL is not set (a PostgreSQL server, README: Tests): its tests skipped';

/** Why tests that need a Redis server skip here ('' when REDIS_URL names one). */
export const REDIS_MISSING = process.env.REDIS_URL ? '' : 'REDIS_URL is not set (a Redis server, README: Tests): its tests skipped';
