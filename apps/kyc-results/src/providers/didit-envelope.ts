import type { KycStatus } from '@compliance/contracts';
import { canonicalDiditStatus } from './didit-status';
import { optionalNumber, optionalObject, optionalString, type Json } from './payload-fields';
import { MalformedPayloadError, type VerificationReport } from './verification-report';

/** Didit webhook types about a verification session; everything else is not kyc-results' business. */
export const DIDIT_SESSION_TYPES = { 'status.updated': 'status', 'data.updated': 'data' } as const;
/** Entity, activity and transaction-monitoring webhooks: acknowledged and counted, never dead-lettered. */
export const DIDIT_NON_SESSION_PREFIXES = ['user.', 'business.', 'activity.', 'transaction.'] as const;

/** The webhook type (`webhook_type`; entity webhooks call it `event`). */
export function diditWebhookType(payload: Json): string | undefined {
  const type = payload.webhook_type ?? payload.event;
  return typeof type === 'string' ? type : undefined;
}

/** KYB sessions also use status.updated, marked by `session_kind: "business"`; they are not identity verifications. */
export function isDiditBusinessSession(payload: Json): boolean {
  return payload.session_kind === 'business';
}

function eventTime(payload: Json): Date {
  const seconds = optionalNumber(payload, 'created_at', 'payload') ?? optionalNumber(payload, 'timestamp', 'payload');
  if (seconds === undefined || seconds <= 0) throw new MalformedPayloadError('payload has no event time (created_at or timestamp)');
  return new Date(Math.round(seconds * 1000));
}

function sessionIdOf(payload: Json, decision: Json | undefined): string {
  const top = optionalString(payload, 'session_id', 'payload');
  const inner = decision && optionalString(decision, 'session_id', 'payload.decision');
  if (top && inner && top !== inner) throw new MalformedPayloadError('payload.session_id and payload.decision.session_id differ');
  const id = top ?? inner;
  if (!id) throw new MalformedPayloadError('payload.session_id is missing');
  return id;
}

export type DiditEnvelope = Omit<VerificationReport, 'decision' | 'payloadVersion'> & { decisionBody?: Json };

/** The fields every Didit session webhook has, whatever its payload version. */
export function readDiditEnvelope(payload: Json): DiditEnvelope {
  const webhookType = diditWebhookType(payload) ?? '';
  const kind = DIDIT_SESSION_TYPES[webhookType as keyof typeof DIDIT_SESSION_TYPES];
  if (!kind) throw new MalformedPayloadError(`webhook_type "${webhookType.slice(0, 40)}" is not a session webhook`);
  const decisionBody = optionalObject(payload, 'decision', 'payload');
  let status: KycStatus | undefined;
  if (kind === 'status' || payload.status !== undefined) status = canonicalDiditStatus(payload.status, 'payload.status');
  return {
    provider: 'didit',
    kind,
    webhookType,
    sessionId: sessionIdOf(payload, decisionBody),
    subjectRef: optionalString(payload, 'vendor_data', 'payload'),
    workflowId: optionalString(payload, 'workflow_id', 'payload'),
    status,
    providerStatus: status ? (payload.status as string) : undefined,
    occurredAt: eventTime(payload),
    decisionBody,
  };
}

