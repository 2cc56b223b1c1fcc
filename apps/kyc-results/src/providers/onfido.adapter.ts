import type { DecisionSummary, KycStatus } from '@compliance/contracts';
import { dropUndefined } from './didit-decision';
import { optionalObject, optionalObjectArray, optionalString, type Json } from './payload-fields';
import type { ProviderAdapter, ProviderLookup } from './provider-adapter';
import { identityOrNone, joined, optionalDate, optionalIsoTime, requiredObject, requiredString, statusIn } from './provider-fields';
import { MalformedPayloadError, type IdentityAttributes, type VerificationDecision, type VerificationReport } from './verification-report';

/** Check webhooks by action; `check.completed` is decided by the check's `result` (ONFIDO_CHECK_RESULTS). */
export const ONFIDO_CHECK_ACTIONS: Readonly<Record<string, KycStatus>> = {
  'check.started': 'in_progress',
  'check.form_completed': 'in_progress',
  // A report was resumed or re-run: the check is being worked on again.
  'check.reopened': 'in_progress',
  // Withdrawn by the client before completion: nobody will finish it.
  'check.withdrawn': 'abandoned',
};

/**
 * `consider` means a report found something a person should look at (a blurred image as well as a
 * forged document); Onfido leaves the decision to the client, so it waits in review rather than
 * declining people automatically. Without the check from the API (no ONFIDO_API_TOKEN) the result
 * is unknown and check.completed reads as in_review too.
 */
export const ONFIDO_CHECK_RESULTS: Readonly<Record<string, KycStatus>> = { clear: 'approved', consider: 'in_review' };

/** Workflow run status (the webhook's `object.status`, else the run's from the API). */
export const ONFIDO_WORKFLOW_RUN_STATUSES: Readonly<Record<string, KycStatus>> = {
  processing: 'in_progress',
  awaiting_input: 'awaiting_user',
  // Waiting for the client (us) to provide data or decide: a manual step.
  awaiting_client_input: 'in_review',
  approved: 'approved',
  declined: 'declined',
  review: 'in_review',
  abandoned: 'abandoned',
  // The run failed technically: a person has to look at it.
  error: 'in_review',
};

const SESSION_ACTIONS = new Set([...Object.keys(ONFIDO_CHECK_ACTIONS), 'check.completed', 'workflow_run.started', 'workflow_run.completed']);
/** Onfido ID-number types that are identity documents (ssn, tax_id... are not). */
const DOCUMENT_TYPES = ['passport', 'identity_card', 'driving_licence', 'voter_id'];
const EVENT = 'payload.payload';
const API = 'api';

function envelope(payload: Json): { action: string; resource: 'check' | 'workflow_run'; object: Json } {
  const inner = requiredObject(payload, 'payload', 'payload');
  const action = requiredString(inner, 'action', EVENT);
  if (!SESSION_ACTIONS.has(action)) throw new MalformedPayloadError(`${EVENT}.action "${action.slice(0, 40)}" is not a session webhook`);
  return { action, resource: action.startsWith('check.') ? 'check' : 'workflow_run', object: requiredObject(inner, 'object', EVENT) };
}

function addressOf(applicant: Json): string | undefined {
  const address = optionalObject(applicant, 'address', `${API}.applicant`);
  if (!address) return undefined;
  const a = (key: string) => optionalString(address, key, `${API}.applicant.address`);
  const lines = joined([a('line1'), a('line2'), a('line3')], ', ');
  const street = lines ?? joined([joined([a('flat_number'), a('building_number'), a('building_name'), a('street')]), a('sub_street')], ', ');
  return joined([street, a('town'), a('state'), a('postcode'), a('country')], ', ');
}

/**
 * The person from `GET /applicants/{id}`. Location (IP address, country of residence) is not kept:
 * it is not an identity attribute and screening does not use it.
 */
function identityOf(applicant: Json): IdentityAttributes | undefined {
  const path = `${API}.applicant`;
  const firstName = optionalString(applicant, 'first_name', path);
  const lastName = optionalString(applicant, 'last_name', path);
  const numbers = optionalObjectArray(applicant, 'id_numbers', path) ?? [];
  const typed = numbers.map((n, i) => ({ type: optionalString(n, 'type', `${path}.id_numbers[${i}]`), value: optionalString(n, 'value', `${path}.id_numbers[${i}]`) }));
  const document = DOCUMENT_TYPES.map((t) => typed.find((n) => n.type === t && n.value)).find(Boolean);
  return identityOrNone({
    firstName,
    lastName,
    fullName: joined([firstName, lastName]),
    dateOfBirth: optionalDate(applicant, 'dob', path),
    documentType: document?.type,
    documentNumber: document?.value,
    address: addressOf(applicant),
  });
}

function decisionOf(applicant: Json | undefined): VerificationDecision | undefined {
  if (!applicant) return undefined;
  const identity = identityOf(applicant);
  const summary: DecisionSummary = dropUndefined({ documentType: identity?.documentType });
  return { summary, identity };
}

function statusOf(action: string, resource: 'check' | 'workflow_run', object: Json, fetched: Json | undefined): { status: KycStatus; providerStatus: string } {
  if (resource === 'check') {
    if (action !== 'check.completed') return { status: ONFIDO_CHECK_ACTIONS[action], providerStatus: optionalString(object, 'status', `${EVENT}.object`) ?? action };
    const result = fetched && optionalString(fetched, 'result', `${API}.check`);
    if (!result) return { status: 'in_review', providerStatus: optionalString(object, 'status', `${EVENT}.object`) ?? 'complete' };
    return { status: statusIn(ONFIDO_CHECK_RESULTS, result, `${API}.check.result`), providerStatus: result };
  }
  const fromEvent = optionalString(object, 'status', `${EVENT}.object`);
  const value = fromEvent ?? (fetched && optionalString(fetched, 'status', `${API}.workflow_run`)) ?? (action === 'workflow_run.started' ? 'processing' : undefined);
  if (!value) throw new MalformedPayloadError(`${EVENT}.object.status is missing`);
  return { status: statusIn(ONFIDO_WORKFLOW_RUN_STATUSES, value, fromEvent ? `${EVENT}.object.status` : `${API}.workflow_run.status`), providerStatus: value };
}

/**
 * Onfido check and workflow-run webhooks (API v3.6). The webhook names the check or run and its
 * status only: the check's result, the applicant and the person come from Onfido's API, fetched
 * before reading (lookupOf, OnfidoClient) and passed in as `fetched` = `{check | workflow_run, applicant}`.
 */
export class OnfidoAdapter implements ProviderAdapter {
  readonly source = 'onfido';
  readonly version = 'onfido-v3.6';

  accepts(): boolean {
    return true;
  }

  /** Reports, workflow tasks, watchlist monitors, audit logs, evidence files. */
  nonSessionType(payload: Json): string | undefined {
    const inner = payload.payload as Json | undefined;
    const action = typeof inner === 'object' && inner !== null ? inner.action : undefined;
    return typeof action === 'string' && !SESSION_ACTIONS.has(action) ? action.slice(0, 60) : undefined;
  }

  lookupOf(payload: Json): ProviderLookup {
    const { resource, object } = envelope(payload);
    return { provider: 'onfido', resource, id: requiredString(object, 'id', `${EVENT}.object`) };
  }

  read(payload: Json, fetched?: Json): VerificationReport {
    const { action, resource, object } = envelope(payload);
    const sessionId = requiredString(object, 'id', `${EVENT}.object`);
    const run = fetched && optionalObject(fetched, resource, API);
    const applicant = fetched && optionalObject(fetched, 'applicant', API);
    if (run && optionalString(run, 'id', `${API}.${resource}`) !== sessionId) throw new MalformedPayloadError(`${API}.${resource}.id differs from ${EVENT}.object.id`);
    const hint = optionalObject(requiredObject(payload, 'payload', 'payload'), 'resource', EVENT);
    const read = (key: string) => (run && optionalString(run, key, `${API}.${resource}`)) ?? (hint && optionalString(hint, key, `${EVENT}.resource`));
    const occurredAt =
      optionalIsoTime(object, 'completed_at_iso8601', `${EVENT}.object`) ??
      optionalIsoTime(object, 'started_at_iso8601', `${EVENT}.object`) ??
      (run && (optionalIsoTime(run, 'updated_at', `${API}.${resource}`) ?? optionalIsoTime(run, 'created_at', `${API}.${resource}`)));
    if (!occurredAt) throw new MalformedPayloadError(`${EVENT}.object has no event time (completed_at_iso8601 or started_at_iso8601)`);
    return {
      provider: 'onfido',
      payloadVersion: this.version,
      kind: 'status',
      webhookType: action,
      sessionId,
      // Onfido applicants have no reference of ours; a workflow run may (customer_user_id), else the applicant is the subject.
      subjectRef: read('customer_user_id') ?? (applicant && optionalString(applicant, 'id', `${API}.applicant`)) ?? read('applicant_id'),
      workflowId: read('workflow_id'),
      ...statusOf(action, resource, object, run),
      occurredAt,
      decision: decisionOf(applicant),
    };
  }
}
