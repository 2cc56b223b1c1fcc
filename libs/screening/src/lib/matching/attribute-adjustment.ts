/**
 * Date of birth, country and document number turn a name similarity into a screening score: the
 * same name with the same birth date is far more likely the listed person; a different birth
 * year makes it less likely (but a list can be wrong, so it never rules a name out on its own).
 */
import type { PartialDate } from '../normalise/partial-date';

export const DOB_ADJUSTMENTS = {
  exact: 0.08,
  sameMonth: 0.04,
  /** Only the year is known on one side, and it agrees. */
  sameYear: 0.03,
  /** 1968-04-12 vs 1968-12-04: a common data-entry slip, not evidence either way. */
  dayMonthSwapped: 0.02,
  sameYearOtherDate: -0.05,
  yearApart: -0.08,
  yearsApart: -0.15,
} as const;

export const COUNTRY_ADJUSTMENTS = { agree: 0.02, disagree: -0.03 } as const;

/** Document numbers shorter than this collide too easily to be decisive. */
export const MIN_DECISIVE_DOCUMENT_LENGTH = 5;

function compareDates(query: PartialDate, listed: PartialDate): number {
  const yearGap = Math.abs(query.year - listed.year);
  if (yearGap === 1) return DOB_ADJUSTMENTS.yearApart;
  if (yearGap > 1) return DOB_ADJUSTMENTS.yearsApart;
  if (query.month === undefined || listed.month === undefined) return DOB_ADJUSTMENTS.sameYear;
  if (query.month !== listed.month) {
    const swapped = query.day === listed.month && listed.day === query.month;
    return swapped ? DOB_ADJUSTMENTS.dayMonthSwapped : DOB_ADJUSTMENTS.sameYearOtherDate;
  }
  if (query.day === undefined || listed.day === undefined) return DOB_ADJUSTMENTS.sameMonth;
  return query.day === listed.day ? DOB_ADJUSTMENTS.exact : DOB_ADJUSTMENTS.sameYearOtherDate;
}

/** Best agreement over the entry's recorded birth dates; 0 when either side has none. */
export function dobAdjustment(query: PartialDate | undefined, listed: readonly PartialDate[]): number {
  if (query === undefined || listed.length === 0) return 0;
  let best = -Infinity;
  for (const date of listed) best = Math.max(best, compareDates(query, date));
  return best;
}

export function countryAdjustment(query: ReadonlySet<string>, listed: ReadonlySet<string>): number {
  if (query.size === 0 || listed.size === 0) return 0;
  for (const country of query) if (listed.has(country)) return COUNTRY_ADJUSTMENTS.agree;
  return COUNTRY_ADJUSTMENTS.disagree;
}

/** Passport "ZX 447-1902" and "zx4471902" are the same document. */
export function normaliseDocumentNumber(value: string): string {
  return value.normalize('NFKD').toUpperCase().replace(/[^A-Z0-9]/g, '');
}
