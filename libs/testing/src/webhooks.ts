import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { canonicalJson } from '@compliance/contracts';

export const FIXTURES_DIR = join(__dirname, '..', 'fixtures');

export type DiditFixture = 'v3-approved' | 'v3-in-progress' | 'v3-in-review-aml-hit' | 'v3-resubmitted' | 'v2-declined' | 'user-status-updated';

/** A Didit example payload (a deep copy), with top-level fields overridden. */
export function diditPayload(name: DiditFixture, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const payload = JSON.parse(readFileSync(join(FIXTURES_DIR, 'didit', `${name}.json`), 'utf8'));
  return { ...payload, ...overrides };
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Headers Didit sends: X-Timestamp, X-Signature over the exact bytes, X-Signature-V2 over canonical JSON. */
export function diditHeaders(body: string, secret: string, timestamp = nowSeconds()): Record<string, string> {
  const hmac = (data: string) => createHmac('sha256', secret).update(data, 'utf8').digest('hex');
  return {
    'content-type': 'application/json',
    'x-timestamp': String(timestamp),
    'x-signature': hmac(body),
    'x-signature-v2': hmac(canonicalJson(JSON.parse(body))),
  };
}

/** Standard Webhooks headers signed with the reference implementation. */
export function standardHeaders(body: string, secret: string, id = `msg_${randomUUID()}`, timestamp = new Date()): Record<string, string> {
  const signature = new Webhook(secret).sign(id, timestamp, body);
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': signature,
  };
}

/** A unique Didit session: a fixture with fresh session and event ids (and a subject reference). */
export function diditSession(name: DiditFixture, fields: Record<string, unknown> = {}): Record<string, unknown> {
  const sessionId = randomUUID();
  const base = diditPayload(name);
  const decision = base.decision && typeof base.decision === 'object' ? { ...(base.decision as object), session_id: sessionId } : base.decision;
  return { ...base, session_id: sessionId, event_id: randomUUID(), decision, timestamp: nowSeconds(), ...fields };
}

export async function postSigned(
  baseUrl: string,
  source: string,
  payload: unknown,
  secret: string,
  scheme: 'didit' | 'standard' = 'didit',
): Promise<{ status: number; body: Record<string, unknown> }> {
  const body = JSON.stringify(payload);
  const headers = scheme === 'didit' ? diditHeaders(body, secret) : standardHeaders(body, secret);
  const res = await fetch(`${baseUrl}/webhooks/${source}`, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {} };
}
