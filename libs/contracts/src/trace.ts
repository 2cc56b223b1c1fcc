import { secureRandomBytes } from './secure-random';

/** W3C Trace Context `traceparent` (version 00). */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export function isTraceparent(value: unknown): value is string {
  return typeof value === 'string' && TRACEPARENT.test(value) && !/^00-0{32}-/.test(value) && !/-0{16}-/.test(value);
}

export function newTraceparent(): string {
  return `00-${secureRandomBytes(16).toString('hex')}-${secureRandomBytes(8).toString('hex')}-01`;
}

export function traceIdOf(traceparent?: string): string | undefined {
  return traceparent ? TRACEPARENT.exec(traceparent)?.[1] : undefined;
}
