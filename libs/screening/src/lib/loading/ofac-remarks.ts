/**
 * OFAC keeps an individual's identifying details in free text in the Remarks column:
 * `DOB 12 Mar 1961; POB Zenda, Ruritania; nationality Ruritania; Passport A1234567 (Ruritania)`.
 * This pulls out what screening compares: birth dates, countries and document numbers.
 */
import { isoFromDayMonthYear } from '../normalise/partial-date';

export interface OfacRemarkFacts {
  birthDates: string[];
  countries: string[];
  identifiers: string[];
}

const DOB = /\bDOB\s+(?:circa\s+|c\.\s*)?((?:\d{1,2}\s+)?(?:[A-Za-z]{3,9}\.?\s+)?\d{4})(?:\s+to\s+((?:\d{1,2}\s+)?(?:[A-Za-z]{3,9}\.?\s+)?\d{4}))?/gi;
const NATIONALITY = /\b(?:nationality|citizen)\s+([^;.()]+?)\s*(?=[;.()]|$)/gi;
/** The number is the first word after the document type; issue dates and countries follow it. */
const DOCUMENT =
  /\b(?:Passport|National ID No\.?|Identification Number|Cedula No\.?|Tax ID No\.?|Personal ID Card|SSN)\s+([A-Z0-9][A-Z0-9\-/]*[A-Z0-9])/gi;

export function parseOfacRemarks(remarks: string): OfacRemarkFacts {
  const birthDates: string[] = [];
  for (const match of remarks.matchAll(DOB)) {
    for (const text of [match[1], match[2]]) {
      const iso = text === undefined ? undefined : isoFromDayMonthYear(text);
      if (iso !== undefined) birthDates.push(iso);
    }
  }
  const countries = [...remarks.matchAll(NATIONALITY)].map((match) => match[1].trim());
  const identifiers = [...remarks.matchAll(DOCUMENT)].map((match) => match[1].trim());
  return { birthDates: unique(birthDates), countries: unique(countries), identifiers: unique(identifiers) };
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
