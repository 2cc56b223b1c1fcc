import pino, { type Logger } from 'pino';
import type { Params } from 'nestjs-pino';
import { CENSOR, REDACTED_PATHS, redactUrl } from './redaction';

export function createLogger(service: string, level = 'info'): Logger {
  return pino({ name: service, level, redact: { paths: REDACTED_PATHS, censor: CENSOR }, base: { service } });
}

/** nestjs-pino settings: JSON lines, redaction, no logging of probes; URLs without subject references or query values. */
export function httpLoggerParams(service: string, level = 'info'): Params {
  return {
    pinoHttp: {
      name: service,
      level,
      base: { service },
      redact: { paths: REDACTED_PATHS, censor: CENSOR },
      autoLogging: { ignore: (req) => /^\/(health|metrics)/.test(req.url ?? '') },
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url === undefined ? undefined : redactUrl(req.url) }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    },
  };
}
