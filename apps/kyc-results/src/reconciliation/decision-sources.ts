import type { KycStatus } from '@compliance/contracts';
import { DIDIT_STATUSES } from '../providers/didit-status';
import { ONFIDO_CHECK_ACTIONS, ONFIDO_CHECK_RESULTS, ONFIDO_WORKFLOW_RUN_STATUSES } from '../providers/onfido.adapter';
import type { OnfidoClient } from '../providers/onfido-client';
import { isObject, type Json } from '../providers/payload-fields';
import { PERSONA_STATUSES } from '../providers/persona.adapter';
import type { PersonaClient } from '../providers/persona-client';
import type { SumsubClient } from '../providers/sumsub-client';
import { SUMSUB_REVIEW_ANSWERS, SUMSUB_STATUSES } from '../providers/sumsub.adapter';
import { VERIFF_STATUSES } from '../providers/veriff.adapter';
import type { VeriffClient } from '../providers/veriff-client';
import type { ApiAnswer, DiditApiClient, DiditListedSession } from './didit-api.client';

/** A session to check: its id, and the type of its last report (Onfido: a check's or a workflow run's). */
export interface SessionToCheck {
  sessionId: string;
  lastWebhookType?: string;
}

/** A transition as the provider's own webhook would have carried it, built from what its API answered. */
export interface ProviderWebhook {
  /** The provider's status (Didit `Approved`, Veriff `approved`, Sumsub `RED/FINAL`…): a (session, status) is put into the flow once. */
  providerStatus: string;
  /** What kyc-results' adapter reads the webhook as; compared with the session's status here. */
  status: KycStatus;
  webhookType: string;
  subjectRef?: string;
  /** The webhook body, for the provider's adapter; its event time is `at`, the moment of the check. */
  payload: Record<string, unknown>;
}

/**
 * What a provider's API says of a session: a decision (as a webhook), no decision yet (Veriff's
 * `verification: null`), not found, an answer that is not about this session or not in the
 * provider's vocabulary, or no answer.
 */
export type Reading =
  | { kind: 'decision'; webhook: ProviderWebhook }
  | { kind: 'undecided' }
  | { kind: 'not_found' }
  | { kind: 'unrecognised' }
  | { kind: 'failed'; reason: string };

/** One provider's decision API, as the reconciler reads it. */
export interface DecisionSource {
  /** The provider: `verification_sessions.provider`, and the source and scheme of the webhook put into the flow. */
  readonly provider: string;
  read(session: SessionToCheck, at: Date): Promise<Reading>;
  /** Recent sessions the provider lists (only where its API lists them: Didit). */
  listRecent?(): Promise<ApiAnswer<DiditListedSession[]>>;
}

const has = (table: Readonly<Record<string, unknown>>, key: unknown): key is string => typeof key === 'string' && Object.prototype.hasOwnProperty.call(table, key);
const text = (obj: Json | undefined, key: string): string | undefined => (obj && typeof obj[key] === 'string' && obj[key] !== '' ? (obj[key] as string) : undefined);
const object = (obj: Json | undefined, key: string): Json | undefined => (obj && isObject(obj[key]) ? (obj[key] as Json) : undefined);

/** A provider client's failure as a reading: 404 is not found, anything else no answer (the message names no ids). */
async function reading(call: () => Promise<Json>, read: (body: Json) => Reading): Promise<Reading> {
  let body: Json;
  try {
    body = await call();
  } catch (err) {
    if ((err as { status?: number }).status === 404) return { kind: 'not_found' };
    return { kind: 'failed', reason: (err as Error).message };
  }
  return read(body);
}

/** Didit: `GET /v3/session/{id}/decision/`; the webhook is a `status.updated` carrying the decision. */
export class DiditDecisionSource implements DecisionSource {
  readonly provider = 'didit';

  constructor(private readonly client: DiditApiClient) {}

  listRecent(): Promise<ApiAnswer<DiditListedSession[]>> {
    return this.client.recentSessions();
  }

  async read({ sessionId }: SessionToCheck, at: Date): Promise<Reading> {
    const answer = await this.client.decision(sessionId);
    if (answer.kind !== 'ok') return answer;
    const decision = answer.body;
    const providerStatus = decision.status;
    if (decision.session_id !== sessionId || !has(DIDIT_STATUSES, providerStatus)) return { kind: 'unrecognised' };
    const subjectRef = typeof decision.vendor_data === 'string' && decision.vendor_data ? decision.vendor_data : undefined;
    const nowSec = Math.floor(at.getTime() / 1000);
    // A status.updated webhook as Didit would have sent it, carrying the decision the API returned.
    const payload: Record<string, unknown> = {
      session_id: sessionId,
      status: providerStatus,
      webhook_type: 'status.updated',
      vendor_data: subjectRef,
      workflow_id: decision.workflow_id,
      session_kind: decision.session_kind,
      created_at: nowSec,
      timestamp: nowSec,
      decision,
    };
    for (const key of Object.keys(payload)) if (payload[key] === undefined) delete payload[key];
    return { kind: 'decision', webhook: { providerStatus, status: DIDIT_STATUSES[providerStatus], webhookType: 'status.updated', subjectRef, payload } };
  }
}

/** Sumsub `reviewStatus` (no review answer yet) to the webhook type announcing it. */
const SUMSUB_REVIEW_STATUS_WEBHOOKS: Readonly<Record<string, string>> = {
  init: 'applicantCreated',
  pending: 'applicantPending',
  queued: 'applicantPending',
  prechecked: 'applicantPending',
  onHold: 'applicantOnHold',
};

/** Sumsub's `createdAtMs`: UTC `yyyy-MM-dd HH:mm:ss.SSS`. */
const sumsubTime = (at: Date): string => at.toISOString().replace('T', ' ').replace('Z', '');

/**
 * Sumsub: `GET /resources/applicants/{id}/one` (signed); its `review` (reviewStatus, reviewResult)
 * becomes the applicant webhook Sumsub sends for it (applicantReviewed, applicantPending,
 * applicantOnHold, applicantCreated). kyc-results then reads the applicant of a review from the API
 * as for any applicantReviewed webhook.
 */
export class SumsubDecisionSource implements DecisionSource {
  readonly provider = 'sumsub';

  constructor(private readonly client: SumsubClient) {}

  read({ sessionId }: SessionToCheck, at: Date): Promise<Reading> {
    return reading(
      () => this.client.applicant(sessionId),
      (applicant) => {
        const review = object(applicant, 'review');
        const reviewStatus = text(review, 'reviewStatus');
        if (text(applicant, 'id') !== sessionId || !reviewStatus) return { kind: 'unrecognised' };
        const common = {
          applicantId: sessionId,
          inspectionId: text(applicant, 'inspectionId'),
          externalUserId: text(applicant, 'externalUserId'),
          levelName: text(review, 'levelName') ?? text(applicant, 'levelName'),
          reviewStatus,
          createdAtMs: sumsubTime(at),
          applicantType: text(applicant, 'type') === 'company' ? 'company' : 'individual',
        };
        let webhook: Omit<ProviderWebhook, 'payload' | 'subjectRef'> & { extra?: Json };
        if (reviewStatus === 'completed') {
          const result = object(review, 'reviewResult');
          const answer = text(result, 'reviewAnswer');
          const key = answer === 'RED' ? `RED/${text(result, 'reviewRejectType') ?? ''}` : answer;
          if (!has(SUMSUB_REVIEW_ANSWERS, key) || !result) return { kind: 'unrecognised' };
          webhook = { providerStatus: key, status: SUMSUB_REVIEW_ANSWERS[key], webhookType: 'applicantReviewed', extra: { reviewResult: result } };
        } else {
          const type = SUMSUB_REVIEW_STATUS_WEBHOOKS[reviewStatus];
          if (!type) return { kind: 'unrecognised' };
          webhook = { providerStatus: reviewStatus, status: SUMSUB_STATUSES[type], webhookType: type };
        }
        const payload = dropUndefined({ ...common, type: webhook.webhookType, ...webhook.extra });
        return {
          kind: 'decision',
          webhook: { providerStatus: webhook.providerStatus, status: webhook.status, webhookType: webhook.webhookType, subjectRef: common.externalUserId, payload },
        };
      },
    );
  }
}

/** Onfido check statuses other than complete, as the check webhook that announces them. */
const ONFIDO_CHECK_STATUS_ACTIONS: Readonly<Record<string, string>> = {
  in_progress: 'check.started',
  awaiting_applicant: 'check.started',
  paused: 'check.started',
  reopened: 'check.reopened',
  withdrawn: 'check.withdrawn',
};
const ONFIDO_FINAL_RUN_STATUSES = new Set(['approved', 'declined', 'review', 'abandoned', 'error']);

/**
 * Onfido: `GET /v3.6/checks/{id}` or `GET /v3.6/workflow_runs/{id}` (which one: the session's last
 * webhook type), as the `check.*` or `workflow_run.*` webhook announcing its status. kyc-results then
 * reads the check or run and its applicant from the API as for any Onfido webhook.
 */
export class OnfidoDecisionSource implements DecisionSource {
  readonly provider = 'onfido';

  constructor(private readonly client: OnfidoClient) {}

  read({ sessionId, lastWebhookType }: SessionToCheck, at: Date): Promise<Reading> {
    const isRun = lastWebhookType?.startsWith('workflow_run') ?? false;
    return reading(
      () => (isRun ? this.client.workflowRun(sessionId) : this.client.check(sessionId)),
      (resource) => {
        const status = text(resource, 'status');
        if (text(resource, 'id') !== sessionId || !status) return { kind: 'unrecognised' };
        let found: { action: string; providerStatus: string; status: KycStatus } | undefined;
        if (isRun) {
          if (has(ONFIDO_WORKFLOW_RUN_STATUSES, status))
            found = { action: ONFIDO_FINAL_RUN_STATUSES.has(status) ? 'workflow_run.completed' : 'workflow_run.started', providerStatus: status, status: ONFIDO_WORKFLOW_RUN_STATUSES[status] };
        } else if (status === 'complete') {
          const result = text(resource, 'result');
          if (has(ONFIDO_CHECK_RESULTS, result)) found = { action: 'check.completed', providerStatus: result, status: ONFIDO_CHECK_RESULTS[result] };
        } else if (has(ONFIDO_CHECK_STATUS_ACTIONS, status)) {
          const action = ONFIDO_CHECK_STATUS_ACTIONS[status];
          found = { action, providerStatus: status, status: ONFIDO_CHECK_ACTIONS[action] };
        }
        if (!found) return { kind: 'unrecognised' };
        const ended = found.action.endsWith('.completed') || found.action === 'check.withdrawn';
        const payload = {
          payload: {
            resource_type: isRun ? 'workflow_run' : 'check',
            action: found.action,
            object: { id: sessionId, status, [ended ? 'completed_at_iso8601' : 'started_at_iso8601']: at.toISOString() },
          },
        };
        const subjectRef = text(resource, 'customer_user_id') ?? text(resource, 'applicant_id');
        return { kind: 'decision', webhook: { providerStatus: found.providerStatus, status: found.status, webhookType: found.action, subjectRef, payload } };
      },
    );
  }
}

/**
 * Veriff: `GET /v1/sessions/{id}/decision` (X-AUTH-CLIENT, X-HMAC-SIGNATURE over the session id), as
 * the decision webhook, whose body has the same shape; `decisionTime` is the moment of the check.
 * `verification: null` is no decision yet.
 */
export class VeriffDecisionSource implements DecisionSource {
  readonly provider = 'veriff';

  constructor(private readonly client: VeriffClient) {}

  read({ sessionId }: SessionToCheck, at: Date): Promise<Reading> {
    return reading(
      () => this.client.decision(sessionId),
      (body) => {
        if (body.verification === null) return { kind: 'undecided' };
        const verification = object(body, 'verification');
        const providerStatus = text(verification, 'status');
        if (!verification || text(verification, 'id') !== sessionId || !has(VERIFF_STATUSES, providerStatus)) return { kind: 'unrecognised' };
        const payload = { status: text(body, 'status') ?? 'success', verification: { ...verification, decisionTime: at.toISOString() } };
        return {
          kind: 'decision',
          webhook: { providerStatus, status: VERIFF_STATUSES[providerStatus], webhookType: 'decision', subjectRef: text(verification, 'vendorData'), payload },
        };
      },
    );
  }
}

/** Persona inquiry statuses to the event each status change creates (Persona's "Inquiry Model Lifecycle"). */
export const PERSONA_STATUS_EVENTS: Readonly<Record<string, string>> = {
  created: 'inquiry.created',
  pending: 'inquiry.started',
  completed: 'inquiry.completed',
  needs_review: 'inquiry.marked-for-review',
  approved: 'inquiry.approved',
  declined: 'inquiry.declined',
  failed: 'inquiry.failed',
  expired: 'inquiry.expired',
};

/**
 * Persona: `GET /api/v1/inquiries/{id}` (bearer API key), as the event its status change creates
 * (`{data: {type: event, attributes: {name, created-at, payload: <the inquiry>}}}`); `created-at` is
 * the moment of the check.
 */
export class PersonaDecisionSource implements DecisionSource {
  readonly provider = 'persona';

  constructor(private readonly client: PersonaClient) {}

  read({ sessionId }: SessionToCheck, at: Date): Promise<Reading> {
    return reading(
      () => this.client.inquiry(sessionId),
      (body) => {
        const inquiry = object(body, 'data');
        const attributes = object(inquiry, 'attributes');
        const status = text(attributes, 'status');
        if (text(inquiry, 'type') !== 'inquiry' || text(inquiry, 'id') !== sessionId || !has(PERSONA_STATUS_EVENTS, status)) return { kind: 'unrecognised' };
        const name = PERSONA_STATUS_EVENTS[status];
        const payload = {
          data: { type: 'event', attributes: { name, 'created-at': at.toISOString(), payload: { data: inquiry, included: Array.isArray(body.included) ? body.included : [] } } },
        };
        return { kind: 'decision', webhook: { providerStatus: status, status: PERSONA_STATUSES[name], webhookType: name, subjectRef: text(attributes, 'reference-id'), payload } };
      },
    );
  }
}

function dropUndefined(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined));
}
