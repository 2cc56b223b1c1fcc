import { diditHeaders, diditSession } from '../../../libs/testing/src/webhooks';

/** A signed webhook ready to go on the wire: nothing left to compute when its turn comes. */
export interface PreparedWebhook {
  sessionId: string;
  body: Buffer;
  headers: Record<string, string>;
}

/**
 * `count` Didit "Approved" webhooks, each a new session with its own subject reference, signed as
 * Didit signs them (X-Timestamp now, X-Signature over the bytes, X-Signature-V2 over canonical
 * JSON), with the event time (`created_at`) now. Built ahead of a run so that signing never competes with sending; the gateway accepts a
 * timestamp up to 300 s old, far more than a run step lasts.
 */
export function prepareApprovedWebhooks(count: number, secret: string, label = 'bench'): PreparedWebhook[] {
  const run = Date.now().toString(36);
  return Array.from({ length: count }, (_, i) => {
    // Event time now, as a live provider sends it: the fixture's fixed date would make every
    // session's raw webhook due for purge at once, a retention load no real traffic has.
    const payload = diditSession('v3-approved', { vendor_data: `${label}-${run}-${i}`, created_at: Math.floor(Date.now() / 1000) });
    const text = JSON.stringify(payload);
    const body = Buffer.from(text);
    return { sessionId: payload.session_id as string, body, headers: { ...diditHeaders(text, secret), 'content-length': String(body.length) } };
  });
}
