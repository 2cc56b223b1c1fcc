/*
 * Formats of CloudEvents 1.0 context attributes that a producer must respect: `time` is an RFC 3339
 * timestamp and `source` a non-empty URI-reference (RFC 3986). The decoder is deliberately more
 * lenient (see decodeEvent): it takes what the CloudEvents SDK took.
 */

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** RFC 3339 `date-time` (a space or lower-case `t`/`z` allowed, as the RFC's note allows); no leap second, which Date cannot read back. */
export function isRfc3339(value: string): boolean {
  const m = RFC3339.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const offsetOk = m[7] === undefined || (Number(m[7]) < 24 && Number(m[8]) < 60);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month) && hour < 24 && minute < 60 && second < 60 && offsetOk;
}

// RFC 3986 characters and well-formed percent-escapes; a scheme, or no colon before the first "/", "?"
// or "#"; at most one "#". Square brackets (IPv6 literal hosts only) are refused rather than parsed.
const URI_REFERENCE = /^(?:[A-Za-z][A-Za-z0-9+.-]*:|(?![^/?#]*:))(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*(?:#(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*)?$/;

export function isUriReference(value: string): boolean {
  return value.length > 0 && URI_REFERENCE.test(value);
}
