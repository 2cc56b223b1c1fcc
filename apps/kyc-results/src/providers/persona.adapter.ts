import type { DecisionSummary, KycStatus } from '@compliance/contracts';
import { dropUndefined } from './didit-decision';
import { isObject, optionalObject, optionalString, type Json } from './payload-fields';
import type { ProviderAdapter } from './provider-adapter';
import { identityOrNone, joined, optionalDate, optionalIsoTime, requiredObject, requiredString, statusIn } from './provider-fields';
import { MalformedPayloadError, type VerificationDecision, type VerificationReport } from './verification-report';

/**
 * Persona inquiry events by name. `completed`: the person finished the flow and the inquiry awaits
 * a decision (a workflow or a reviewer approves or declines it next). `failed`: the person used up
 * the allowed verification attempts, a negative outcome of the checks (walking away is `expired`).
 */
export const PERSONA_STATUSES: Readonly<Record<string, KycStatus>> = {
  'inquiry.created': 'not_started',
  'inquiry.started': 'in_progress',
  'inquiry.completed': 'in_review',
  'inquiry.marked-for-review': 'in_review',
  'inquiry.approved': 'approved',
  'inquiry.declined': 'declined',
  'inquiry.failed': 'declined',
  'inquiry.expired': 'expired',
};

const EVENT = 'payload.data.attributes';
const INQUIRY = `${EVENT}.payload.data`;
const ATTRS = `${INQUIRY}.attributes`;

/** An inquiry attribute; newer API versions keep the collected values only under `fields.<key>.value`. */
function attribute(attrs: Json, key: string): string | undefined {
  const direct = optionalString(attrs, key, ATTRS);
  if (direct !== undefined) return direct;
  const field = optionalObject(attrs, 'fields', ATTRS)?.[key];
  if (field === undefined || field === null) return undefined;
  if (!isObject(field)) throw new MalformedPayloadError(`${ATTRS}.fields.${key} is not an object`);
  return optionalString(field, 'value', `${ATTRS}.fields.${key}`);
}

function decisionOf(attrs: Json): VerificationDecision | undefined {
  const read = (key: string) => attribute(attrs, key);
  const birthdate = read('birthdate');
  const first = read('name-first');
  const last = read('name-last');
  const documentType = read('identification-class');
  const issuingCountry = read('selected-country-code');
  const identity = identityOrNone({
    firstName: first,
    lastName: last,
    fullName: joined([first, read('name-middle'), last]),
    dateOfBirth: birthdate === undefined ? undefined : optionalDate({ birthdate }, 'birthdate', ATTRS),
    documentType,
    documentNumber: read('identification-number'),
    issuingState: issuingCountry,
    address: joined(['address-street-1', 'address-street-2', 'address-city', 'address-subdivision', 'address-postal-code', 'address-country-code'].map(read), ', '),
  });
  const summary: DecisionSummary = dropUndefined({ documentType, issuingCountry });
  return identity || Object.keys(summary).length ? { summary, identity } : undefined;
}

/** The inquiry template (`relationships.inquiry-template.data.id`): Persona's workflow. */
function templateOf(inquiry: Json): string | undefined {
  const template = optionalObject(optionalObject(inquiry, 'relationships', INQUIRY) ?? {}, 'inquiry-template', `${INQUIRY}.relationships`);
  const data = template && optionalObject(template, 'data', `${INQUIRY}.relationships.inquiry-template`);
  return data && optionalString(data, 'id', `${INQUIRY}.relationships.inquiry-template.data`);
}

/**
 * Persona webhook events (`data.attributes.name`, the inquiry at the time of the event in
 * `data.attributes.payload.data`). The session is the inquiry id, the subject its `reference-id`.
 */
export class PersonaAdapter implements ProviderAdapter {
  readonly source = 'persona';
  readonly version = 'persona-v1';

  accepts(): boolean {
    return true;
  }

  /** Account, verification, report, case, transaction... events, and inquiry events that change no status (transitioned, redacted). */
  nonSessionType(payload: Json): string | undefined {
    const data = payload.data;
    const name = isObject(data) && isObject(data.attributes) ? data.attributes.name : undefined;
    if (typeof name !== 'string') return undefined;
    return Object.prototype.hasOwnProperty.call(PERSONA_STATUSES, name) ? undefined : name.slice(0, 60);
  }

  read(payload: Json): VerificationReport {
    const event = requiredObject(requiredObject(payload, 'data', 'payload'), 'attributes', 'payload.data');
    const webhookType = requiredString(event, 'name', EVENT);
    const status = statusIn(PERSONA_STATUSES, webhookType, `${EVENT}.name`);
    const occurredAt = optionalIsoTime(event, 'created-at', EVENT);
    if (!occurredAt) throw new MalformedPayloadError(`${EVENT}.created-at is missing`);
    const inquiry = requiredObject(requiredObject(event, 'payload', EVENT), 'data', `${EVENT}.payload`);
    if (requiredString(inquiry, 'type', INQUIRY) !== 'inquiry') throw new MalformedPayloadError(`${INQUIRY}.type is not inquiry`);
    const attrs = optionalObject(inquiry, 'attributes', INQUIRY) ?? {};
    return {
      provider: 'persona',
      payloadVersion: this.version,
      kind: 'status',
      webhookType,
      sessionId: requiredString(inquiry, 'id', INQUIRY),
      subjectRef: optionalString(attrs, 'reference-id', ATTRS),
      workflowId: templateOf(inquiry),
      status,
      providerStatus: optionalString(attrs, 'status', ATTRS) ?? webhookType,
      occurredAt,
      decision: decisionOf(attrs),
    };
  }
}
