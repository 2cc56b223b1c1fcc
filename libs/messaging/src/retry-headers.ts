import { headerText, type RawRecord } from '@compliance/contracts';

/** Headers a record carries on `<group>.retry` and `<group>.dlq` (DESIGN §6). */
export const RetryHeaders = {
  OriginalTopic: 'x-original-topic',
  OriginalPartition: 'x-original-partition',
  OriginalOffset: 'x-original-offset',
  Attempt: 'x-attempt',
  NextAttemptAt: 'x-next-attempt-at',
  LastError: 'x-last-error',
  ErrorCode: 'x-error-code',
  ConsumerGroup: 'x-consumer-group',
  FailedAt: 'x-failed-at',
} as const;

export interface RetryPolicy {
  /** Handler attempts before the event is dead-lettered (the first delivery counts). */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 };

/** Exponential backoff with ±20 % jitter so retried events from one burst do not land together. */
export function backoffMs(policy: RetryPolicy, attempt: number, random = Math.random): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp * (0.8 + 0.4 * random()));
}

/** Header values of a record as strings (kafkajs gives Buffers). */
export function stringHeaders(headers: RawRecord['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(headers ?? {})) {
    const v = headerText(headers, name);
    if (v !== undefined) out[name] = v;
  }
  return out;
}

/** Where the record originally came from and how often it was tried. */
export function retryState(headers: Record<string, string>, topic: string): { originalTopic: string; attempt: number; dueAt: number } {
  return {
    originalTopic: headers[RetryHeaders.OriginalTopic] ?? topic,
    attempt: Number(headers[RetryHeaders.Attempt] ?? 0) || 0,
    dueAt: Number(new Date(headers[RetryHeaders.NextAttemptAt] ?? 0)) || 0,
  };
}

/** Error text safe for headers and logs: bounded, single line. */
export function errorText(err: unknown): string {
  const msg = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return msg.replace(/\s+/g, ' ').slice(0, 500);
}
