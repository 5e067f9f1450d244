/** The reporting periods a designer can ask about (slot `period`), all in UTC. */
export const PERIODS = ['today', 'yesterday', 'this_week', 'last_week', 'this_month', 'last_month', 'this_year', 'all_time'] as const;
export type Period = (typeof PERIODS)[number];

export function isPeriod(value: unknown): value is Period {
  return typeof value === 'string' && (PERIODS as readonly string[]).includes(value);
}

/** A half-open time range [from, to); `from` null means "since the beginning". */
export interface PeriodRange {
  readonly from: Date | null;
  readonly to: Date;
}

const DAY = 24 * 3600 * 1000;

function utcDay(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}

/** Monday 00:00 UTC of the week containing `d` (ISO weeks). */
function utcWeek(d: Date): Date {
  const day = utcDay(d);
  return new Date(day.getTime() - ((day.getUTCDay() + 6) % 7) * DAY);
}

/** The calendar range of a period around `now` (the current period runs to its calendar end). */
export function periodRange(period: Period, now: Date): PeriodRange {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  switch (period) {
    case 'today': { const from = utcDay(now); return { from, to: new Date(from.getTime() + DAY) }; }
    case 'yesterday': { const to = utcDay(now); return { from: new Date(to.getTime() - DAY), to }; }
    case 'this_week': { const from = utcWeek(now); return { from, to: new Date(from.getTime() + 7 * DAY) }; }
    case 'last_week': { const to = utcWeek(now); return { from: new Date(to.getTime() - 7 * DAY), to }; }
    case 'this_month': return { from: new Date(Date.UTC(y, m, 1)), to: new Date(Date.UTC(y, m + 1, 1)) };
    case 'last_month': return { from: new Date(Date.UTC(y, m - 1, 1)), to: new Date(Date.UTC(y, m, 1)) };
    case 'this_year': return { from: new Date(Date.UTC(y, 0, 1)), to: new Date(Date.UTC(y + 1, 0, 1)) };
    case 'all_time': return { from: null, to: new Date(now.getTime() + 1) };
  }
}

/** The range of the same length just before `range` (none for all_time). */
export function previousRange(range: PeriodRange): PeriodRange | null {
  if (range.from === null) return null;
  const length = range.to.getTime() - range.from.getTime();
  return { from: new Date(range.from.getTime() - length), to: range.from };
}
