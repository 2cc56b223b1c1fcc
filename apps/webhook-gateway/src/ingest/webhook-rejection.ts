import type { WebhookRejectionReason } from '@compliance/contracts';

interface PublicAnswer {
  status: number;
  /** Stable code in the JSON error body. */
  code: string;
  message: string;
}

const UNAUTHENTICATED: PublicAnswer = { status: 401, code: 'INVALID_SIGNATURE', message: 'the webhook could not be authenticated' };
const BAD_BODY = (code: string, message: string): PublicAnswer => ({ status: 400, code, message });

/**
 * Reason → HTTP answer, in one place. Every authentication failure gets the same answer, so a caller
 * never learns which header, timestamp or signature was wrong; the reason goes to operators only.
 */
const ANSWERS: Record<WebhookRejectionReason, PublicAnswer> = {
  UNKNOWN_SOURCE: { status: 404, code: 'UNKNOWN_SOURCE', message: 'no webhook source of that name' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'webhooks must be sent as application/json' },
  BODY_TOO_LARGE: { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'the body is over the size limit' },
  BODY_INCOMPLETE: BAD_BODY('INVALID_BODY', 'the body was not received completely'),
  EMPTY_BODY: BAD_BODY('INVALID_JSON', 'the body is not valid JSON'),
  INVALID_JSON: BAD_BODY('INVALID_JSON', 'the body is not valid JSON'),
  JSON_TOO_DEEP: BAD_BODY('INVALID_JSON', 'the body is not valid JSON'),
  NOT_A_JSON_OBJECT: BAD_BODY('NOT_A_JSON_OBJECT', 'the body must be a JSON object'),
  HEADER_MISSING: UNAUTHENTICATED,
  HEADER_DUPLICATED: UNAUTHENTICATED,
  TIMESTAMP_INVALID: UNAUTHENTICATED,
  TIMESTAMP_OUT_OF_WINDOW: UNAUTHENTICATED,
  SIGNATURE_MISMATCH: UNAUTHENTICATED,
  EVENT_TOO_OLD: UNAUTHENTICATED,
  PAYLOAD_FIELDS_MISSING: BAD_BODY('INVALID_PAYLOAD', 'the webhook lacks required fields'),
  TOO_MANY_FAILURES: { status: 429, code: 'TOO_MANY_FAILURES', message: 'too many failed requests from this address' },
  UNAVAILABLE: { status: 503, code: 'UNAVAILABLE', message: 'the webhook could not be stored; retry later' },
};

/** Reasons that come after the signature was verified: they never count as unauthenticated failures. */
const AFTER_VERIFICATION: ReadonlySet<WebhookRejectionReason> = new Set(['PAYLOAD_FIELDS_MISSING', 'UNAVAILABLE']);

/** Why a request is turned away; thrown by each step, answered and reported once by the ingest service. */
export class WebhookRejection extends Error {
  constructor(
    readonly reason: WebhookRejectionReason,
    /** Safe detail for the caller (field names, a limit; never values); never given with the uniform 401. */
    readonly detail?: string,
    /** Seconds, for 429 and 503. */
    readonly retryAfterSec?: number,
  ) {
    super(reason);
    this.name = 'WebhookRejection';
  }

  get answer(): PublicAnswer {
    return ANSWERS[this.reason];
  }

  get status(): number {
    return ANSWERS[this.reason].status;
  }

  get unauthenticated(): boolean {
    return !AFTER_VERIFICATION.has(this.reason);
  }

  /** The JSON error body. */
  body(requestId: string): Record<string, unknown> {
    const { status, code, message } = this.answer;
    // Which authentication check failed is never told; a body's shape may be.
    const detail = this.answer === UNAUTHENTICATED ? undefined : this.detail;
    return { statusCode: status, code, message: detail ? `${message}: ${detail}` : message, requestId };
  }
}
