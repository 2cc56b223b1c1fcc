/**
 * Dates of birth as lists record them: often only a year, sometimes year and month.
 */
export interface PartialDate {
  year: number;
  month?: number;
  day?: number;
}

const ISO_PARTIAL = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/;

/** `1968-04-12`, `1968-04`, `1968` (a time part is ignored); anything else -> undefined. */
export function parsePartialDate(value: string): PartialDate | undefined {
  const match = ISO_PARTIAL.exec(value.trim());
  if (!match) return undefined;
  const year = Number(match[1]);
  const month = match[2] === undefined ? undefined : Number(match[2]);
  const day = match[3] === undefined ? undefined : Number(match[3]);
  if (month !== undefined && (month < 1 || month > 12)) return undefined;
  if (day !== undefined && (day < 1 || day > 31)) return undefined;
  return { year, month, day };
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** OFAC style `12 Mar 1961`, `Mar 1961`, `1961` -> ISO partial date string. */
export function isoFromDayMonthYear(text: string): string | undefined {
  const match = /^(?:(\d{1,2})\s+)?(?:([A-Za-z]{3})[A-Za-z]*\.?\s+)?(\d{4})$/.exec(text.trim());
  if (!match) return undefined;
  const [, day, monthName, year] = match;
  if (monthName === undefined) return day === undefined ? year : undefined;
  const month = MONTHS.indexOf(monthName.toLowerCase()) + 1;
  if (month === 0) return undefined;
  const mm = String(month).padStart(2, '0');
  return day === undefined ? `${year}-${mm}` : `${year}-${mm}-${day.padStart(2, '0')}`;
}
