/**
 * Paths pino censors in every log line: credentials, signatures and personal data. Services never
 * log webhook payloads; these paths catch what slips through (errors carrying objects, headers).
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-signature"]',
  'req.headers["x-signature-v2"]',
  'req.headers["webhook-signature"]',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.payload',
  '*.body',
  '*.secret',
  '*.password',
  '*.apiKey',
  '*.fullName',
  '*.firstName',
  '*.lastName',
  '*.dateOfBirth',
  '*.documentNumber',
  '*.address',
  '*.identity',
  'payload',
  'body',
  'identity',
];

export const CENSOR = '[redacted]';

/** `/subjects/<subjectRef>` anywhere in a path: the reference names a person (a customer id, often an email). */
const SUBJECT_SEGMENT = /(\/subjects\/)[^/?#]+/gi;

/**
 * A request URL as it may be logged: the segment after `/subjects/` and every query value replaced
 * by the censor (query names stay: they say what was asked, not about whom).
 */
export function redactUrl(url: string): string {
  const at = url.indexOf('?');
  const path = (at < 0 ? url : url.slice(0, at)).replace(SUBJECT_SEGMENT, `$1${CENSOR}`);
  if (at < 0) return path;
  const query = url
    .slice(at + 1)
    .split('&')
    .filter(Boolean)
    .map((pair) => `${pair.split('=')[0]}=${CENSOR}`);
  return query.length ? `${path}?${query.join('&')}` : path;
}
