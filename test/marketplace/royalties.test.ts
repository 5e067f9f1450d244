import { describe, expect, it } from 'vitest';
import { splitRoyalties } from '../../src/marketplace/royalties.js';
import { rng } from '../helpers/random.js';


function randomShares(random: () => number, n: number): { designerId: string; shareBps: number }[] {
  // n distinct cut points in 1..9999 → n positive shares summing to 10 000.
  const cuts = new Set<number>();
  while (cuts.size < n - 1) cuts.add(1 + Math.floor(random() * 9_999));
  const points = [0, ...[...cuts].sort((a, b) => a - b), 10_000];
  return points.slice(1).map((p, i) => ({ designerId: `d${Math.floor(random() * 1e6).toString(36)}-${i}`, shareBps: p - points[i]! }));
}

describe('splitRoyalties', () => {
  it('takes the fee first, then splits the rest by shares', () => {
    const split = splitRoyalties(25, 1_000, [{ designerId: 'nova', shareBps: 10_000 }]);
    expect(split).toEqual({ fee: 2, payouts: [{ designerId: 'nova', shareBps: 10_000, amount: 23 }] });
  });

  it('gives leftover credits to the largest remainders, ties to the lower designer id', () => {
    // rest 9 split three ways: 3 each exactly.
    expect(splitRoyalties(10, 1_000, [
      { designerId: 'c', shareBps: 3_334 }, { designerId: 'a', shareBps: 3_333 }, { designerId: 'b', shareBps: 3_333 },
    ]).payouts.map((p) => p.amount)).toEqual([3, 3, 3]);
    // rest 10, equal thirds: 3.33 each → one leftover credit goes to "a".
    expect(splitRoyalties(10, 0, [
      { designerId: 'c', shareBps: 3_334 }, { designerId: 'b', shareBps: 3_333 }, { designerId: 'a', shareBps: 3_333 },
    ]).payouts).toEqual([
      { designerId: 'c', shareBps: 3_334, amount: 4 }, { designerId: 'b', shareBps: 3_333, amount: 3 }, { designerId: 'a', shareBps: 3_333, amount: 3 },
    ]);
    expect(splitRoyalties(1, 0, [{ designerId: 'b', shareBps: 5_000 }, { designerId: 'a', shareBps: 5_000 }]).payouts)
      .toEqual([{ designerId: 'b', shareBps: 5_000, amount: 0 }, { designerId: 'a', shareBps: 5_000, amount: 1 }]);
  });

  it('handles zero prices and the demo 70/30 split', () => {
    expect(splitRoyalties(0, 1_000, [{ designerId: 'x', shareBps: 10_000 }])).toEqual({ fee: 0, payouts: [{ designerId: 'x', shareBps: 10_000, amount: 0 }] });
    expect(splitRoyalties(40, 1_000, [{ designerId: 'kenji', shareBps: 3_000 }, { designerId: 'nova', shareBps: 7_000 }]).payouts.map((p) => p.amount)).toEqual([11, 25]);
  });

  it('always pays out exactly price − fee, never more than a share rounded up (10 000 random cases)', () => {
    const random = rng(20_240_601);
    for (let i = 0; i < 10_000; i++) {
      const price = Math.floor(random() * (random() < 0.5 ? 100 : 1_000_000));
      const feeBps = Math.floor(random() * 5_001);
      const shares = randomShares(random, 1 + Math.floor(random() * 6));
      const split = splitRoyalties(price, feeBps, shares);
      expect(split.fee).toBe(Math.floor((price * feeBps) / 10_000));
      const rest = price - split.fee;
      expect(split.payouts.reduce((s, p) => s + p.amount, 0)).toBe(rest);
      split.payouts.forEach((p, k) => {
        const exact = (rest * shares[k]!.shareBps) / 10_000;
        expect(Number.isInteger(p.amount)).toBe(true);
        expect(p.amount).toBeGreaterThanOrEqual(Math.floor(exact));
        expect(p.amount).toBeLessThanOrEqual(Math.floor(exact) + 1);
      });
    }
  });

  it('is deterministic whatever the order of the collaborators', () => {
    const random = rng(7);
    for (let i = 0; i < 500; i++) {
      const shares = randomShares(random, 2 + Math.floor(random() * 4));
      const price = Math.floor(random() * 1_000);
      const a = splitRoyalties(price, 1_000, shares);
      const b = splitRoyalties(price, 1_000, [...shares].reverse());
      const byId = (s: typeof a) => Object.fromEntries(s.payouts.map((p) => [p.designerId, p.amount]));
      expect(byId(b)).toEqual(byId(a));
    }
  });

  it('refuses shares that do not sum to 10 000 and non-integer prices', () => {
    const refused = (message: RegExp) => expect.objectContaining({ code: 'HM_ERR_MARKET_MONEY_INVALID', statusCode: 500, message: expect.stringMatching(message) });
    expect(() => splitRoyalties(10, 1_000, [{ designerId: 'a', shareBps: 9_999 }])).toThrow(refused(/10000/));
    expect(() => splitRoyalties(10, 1_000, [])).toThrow(refused(/sum to 10000/));
    expect(() => splitRoyalties(10.5, 1_000, [{ designerId: 'a', shareBps: 10_000 }])).toThrow(refused(/whole/));
    expect(() => splitRoyalties(-1, 1_000, [{ designerId: 'a', shareBps: 10_000 }])).toThrow(refused(/whole/));
    expect(() => splitRoyalties(10, 10_001, [{ designerId: 'a', shareBps: 10_000 }])).toThrow(refused(/platform fee/));
  });
});
