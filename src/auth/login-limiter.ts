import { setTimeout as sleep } from 'node:timers/promises';
import type { SessionStore } from '../cache/session-store.js';
import { Errors } from '../errors.js';

export interface LoginLimits {
  /** Guesses one client (an address, or a known device) may make against one account per window. */
  readonly perClientMax: number;
  /** The first window, seconds; each lockout of the same client doubles the next one. */
  readonly windowS: number;
  /** The longest a client's window grows to, seconds. */
  readonly maxWindowS: number;
  /** Guesses against one account from unknown devices (all addresses) before each is slowed down. */
  readonly slowAfter: number;
  /** The longest delay of one slowed guess, ms. */
  readonly maxDelayMs: number;
}

/** Who is guessing: `trusted` for a device that signed in to this account before (see device tokens). */
export interface LoginClient {
  /** `ip:<address>` or `device:<id>`. */
  readonly id: string;
  readonly trusted: boolean;
}

// The delay of the first slowed guess; each further one doubles it up to maxDelayMs.
const FIRST_DELAY_MS = 250;

/**
 * Limits guessing of passwords and second-factor codes. Every guess is counted (one atomic
 * increment in the session store) *before* it is checked, so concurrent guesses can never
 * exceed the limit; a guess that turns out not to be a wrong secret is given back.
 *
 * Two counters, so that an attacker cannot lock the owner out:
 * - per account and client (address or known device): `perClientMax` guesses per window, then
 *   refused (429) until the window ends; every lockout doubles that client's next window.
 * - per account, from unknown devices: beyond `slowAfter` guesses in a window each guess waits
 *   (exponentially longer, capped) but is still checked. A known device is never slowed.
 */
export class LoginLimiter {
  readonly #store: SessionStore;
  readonly #limits: LoginLimits;
  readonly #wait: (ms: number) => Promise<unknown>;

  constructor(store: SessionStore, limits: LoginLimits, wait: (ms: number) => Promise<unknown> = sleep) {
    this.#store = store;
    this.#limits = limits;
    this.#wait = wait;
  }

  /**
   * Runs `check` when `client` may still guess against `account`.
   * @param isWrongSecret true for the errors that mean a wrong guess (they stay counted).
   * @throws HM_ERR_REQUEST_RATE_LIMITED (after calling `onRefused` with the seconds to wait).
   */
  async guard<T>(account: string, client: LoginClient, check: () => Promise<T>, isWrongSecret: (err: unknown) => boolean, onRefused: (retryS: number) => void = () => {}): Promise<T> {
    const { perClientMax, windowS: firstWindowS, maxWindowS, slowAfter, maxDelayMs } = this.#limits;
    const strikesKey = `auth:strikes:${account}:${client.id}`;
    const clientKey = `auth:guesses:${account}:${client.id}`;
    const strikes = (await this.#store.get<number>(strikesKey)) ?? 0;
    const windowS = Math.min(firstWindowS * 2 ** strikes, maxWindowS);
    const guesses = await this.#store.increment(clientKey, windowS);
    if (guesses > perClientMax) {
      // Exactly one refused request per window sees this value: one strike per lockout.
      if (guesses === perClientMax + 1) await this.#store.increment(strikesKey, maxWindowS * 2);
      onRefused(windowS);
      throw Errors.RateLimited(windowS);
    }
    const accountKey = client.trusted ? null : `auth:guesses:${account}`;
    if (accountKey) {
      const accountGuesses = await this.#store.increment(accountKey, firstWindowS);
      if (accountGuesses > slowAfter) await this.#wait(Math.min(FIRST_DELAY_MS * 2 ** Math.min(accountGuesses - slowAfter - 1, 30), maxDelayMs));
    }
    let wrong = false;
    try {
      const result = await check();
      // The owner got in from this client: forget its mistakes.
      await Promise.all([this.#store.delete(clientKey), this.#store.delete(strikesKey)]);
      return result;
    } catch (err) {
      wrong = isWrongSecret(err);
      if (!wrong) await this.#store.increment(clientKey, windowS, -1);
      throw err;
    } finally {
      if (accountKey && !wrong) await this.#store.increment(accountKey, firstWindowS, -1);
    }
  }
}
