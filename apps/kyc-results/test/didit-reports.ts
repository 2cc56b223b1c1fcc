import { randomUUID } from 'node:crypto';
import { diditPayload, type DiditFixture } from '@compliance/testing';

type Payload = Record<string, any>;

const without = (payload: Payload, ...keys: string[]): Payload => Object.fromEntries(Object.entries(payload).filter(([k]) => !keys.includes(k)));

/** A Didit fixture re-addressed to one session and subject, at a given provider time (unix s). */
export function sessionReport(fixture: DiditFixture, session: { sessionId: string; subjectRef: string }, createdAt: number, overrides: Payload = {}): Payload {
  const base = diditPayload(fixture);
  const decision = base.decision ? { ...(base.decision as object), session_id: session.sessionId } : undefined;
  return {
    ...base,
    event_id: randomUUID(),
    session_id: session.sessionId,
    vendor_data: session.subjectRef,
    created_at: createdAt,
    timestamp: createdAt + 2,
    ...(decision ? { decision } : {}),
    ...overrides,
  };
}

/** A fresh session identity for a test. */
export const newSession = (subjectRef = `customer-${randomUUID().slice(0, 8)}`) => ({ sessionId: randomUUID(), subjectRef });

/** The same content re-sent by Didit: new event_id and delivery timestamp, nothing else changed. */
export const redelivered = (payload: Payload): Payload => ({ ...payload, event_id: randomUUID(), timestamp: (payload.timestamp as number) + 60 });

/** A status report without decision for a session (In Progress, Resubmitted... by status string). */
export function statusOnly(status: string, session: { sessionId: string; subjectRef: string }, createdAt: number): Payload {
  return { ...without(sessionReport('v3-in-progress', session, createdAt), 'decision', 'resubmit_info'), status };
}

const V2_KEYS: Record<string, string> = {
  id_verifications: 'id_verification',
  liveness_checks: 'liveness',
  face_matches: 'face_match',
  aml_screenings: 'aml',
  ip_analyses: 'ip_analysis',
};

/** The v2 shape of a v3 payload: the first item of each feature array under its singular key, no node_id. */
export function asV2(payload: Payload): Payload {
  const decision: Payload = {};
  for (const [key, value] of Object.entries(payload.decision as Payload)) {
    if (!(key in V2_KEYS)) decision[key] = value;
    else if (Array.isArray(value) && value.length) {
      decision[V2_KEYS[key]] = without(value[0], 'node_id');
    }
  }
  return { ...payload, decision };
}
