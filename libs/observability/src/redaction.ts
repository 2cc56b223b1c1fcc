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
