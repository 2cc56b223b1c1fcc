/** A handler throws this when retrying cannot help (malformed payload): the event goes straight to the DLQ. */
export class PermanentEventError extends Error {
  constructor(
    message: string,
    readonly code = 'EVENT_REJECTED',
  ) {
    super(message);
    this.name = 'PermanentEventError';
  }
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '53300']);

/**
 * Infrastructure failures (database unreachable) are not the event's fault: spending its retry
 * budget would dead-letter good events during an outage, so the batch is retried in place instead.
 */
export function isInfrastructureError(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  if (e?.code && (CONNECTION_CODES.has(e.code) || e.code.startsWith('08'))) return true;
  return /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
    e?.message ?? '',
  );
}
