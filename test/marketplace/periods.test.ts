import { describe, expect, it } from 'vitest';
import { periodRange, previousRange, type Period } from '../../src/marketplace/periods.js';

const at = (iso: string) => new Date(iso);
const range = (period: Period, now: string) => {
  const r = periodRange(period, at(now));
  return { from: r.from?.toISOString() ?? null, to: r.to.toISOString() };
};

describe('periods (UTC)', () => {
  const now = '2026-03-04T15:30:00.000Z'; // a Wednesday
  it('computes calendar ranges', () => {
    expect(range('today', now)).toEqual({ from: '2026-03-04T00:00:00.000Z', to: '2026-03-05T00:00:00.000Z' });
    expect(range('yesterday', now)).toEqual({ from: '2026-03-03T00:00:00.000Z', to: '2026-03-04T00:00:00.000Z' });
    expect(range('this_week', now)).toEqual({ from: '2026-03-02T00:00:00.000Z', to: '2026-03-09T00:00:00.000Z' });
    expect(range('last_week', now)).toEqual({ from: '2026-02-23T00:00:00.000Z', to: '2026-03-02T00:00:00.000Z' });
    expect(range('this_month', now)).toEqual({ from: '2026-03-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z' });
    expect(range('last_month', now)).toEqual({ from: '2026-02-01T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z' });
    expect(range('this_year', now)).toEqual({ from: '2026-01-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' });
    expect(range('all_time', now).from).toBeNull();
  });

  it('starts weeks on Monday, also on a Sunday and across a year boundary', () => {
    expect(range('this_week', '2026-03-08T23:59:59.000Z').from).toBe('2026-03-02T00:00:00.000Z');
    expect(range('last_month', '2026-01-10T00:00:00.000Z')).toEqual({ from: '2025-12-01T00:00:00.000Z', to: '2026-01-01T00:00:00.000Z' });
  });

  it('compares with the previous range of the same length', () => {
    const week = periodRange('this_week', at(now));
    expect(previousRange(week)).toEqual(periodRange('last_week', at(now)));
    expect(previousRange(periodRange('all_time', at(now)))).toBeNull();
  });
});
