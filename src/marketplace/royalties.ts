import { Errors } from '../errors.js';

/** One collaborator of a chip and their share of its royalties in basis points. */
export interface RoyaltyShare {
  readonly designerId: string;
  readonly shareBps: number;
}

export interface RoyaltySplit {
  /** The platform's fee: floor(price × feeBps / 10 000). */
  readonly fee: number;
  /** One line per collaborator, in the order given; the amounts sum exactly to price − fee. */
  readonly payouts: readonly { readonly designerId: string; readonly shareBps: number; readonly amount: number }[];
}

const BPS = 10_000;

/**
 * Splits a sale price into the platform fee and royalty payouts, in whole credits.
 * Each collaborator gets floor(rest × share / 10 000); the credits left over by rounding go one
 * each to the largest remainders (ties: lower designer id first), so the payouts always sum to
 * exactly price − fee — the database re-checks this at commit.
 * @throws HM_ERR_MARKET_MONEY_INVALID when the price or fee is not a non-negative integer or the shares do not sum to 10 000.
 */
export function splitRoyalties(priceCredits: number, platformFeeBps: number, shares: readonly RoyaltyShare[]): RoyaltySplit {
  if (!Number.isSafeInteger(priceCredits) || priceCredits < 0) throw Errors.MoneyInvalid(`price must be a whole number of credits, got ${priceCredits}`);
  if (!Number.isInteger(platformFeeBps) || platformFeeBps < 0 || platformFeeBps > BPS) throw Errors.MoneyInvalid(`platform fee must be 0..10000 bps, got ${platformFeeBps}`);
  const total = shares.reduce((s, x) => s + x.shareBps, 0);
  if (shares.length === 0 || total !== BPS || shares.some((s) => !Number.isInteger(s.shareBps) || s.shareBps <= 0)) {
    throw Errors.MoneyInvalid(`collaborator shares must be positive and sum to 10000 bps, got ${total}`);
  }
  const fee = Math.floor((priceCredits * platformFeeBps) / BPS);
  const rest = priceCredits - fee;
  const lines = shares.map((s, index) => {
    const raw = rest * s.shareBps;
    return { index, designerId: s.designerId, shareBps: s.shareBps, amount: Math.floor(raw / BPS), remainder: raw % BPS };
  });
  let leftover = rest - lines.reduce((s, l) => s + l.amount, 0);
  const byRemainder = [...lines].sort((a, b) => b.remainder - a.remainder || (a.designerId < b.designerId ? -1 : a.designerId > b.designerId ? 1 : 0));
  for (const line of byRemainder) {
    if (leftover === 0) break;
    line.amount += 1;
    leftover -= 1;
  }
  return { fee, payouts: lines.map(({ designerId, shareBps, amount }) => ({ designerId, shareBps, amount })) };
}
