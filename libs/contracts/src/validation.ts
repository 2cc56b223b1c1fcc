import { compileDataValidator, type DataValidator } from './dto-validator';
import { EventTypes, isKycEventType } from './event-types';
import type { DomainEvent } from './envelope';
import { AmlIdentityAccessedData, AmlScreeningCompletedData, AmlScreeningFailedData, AmlScreeningRequestedData } from './events/aml.events';
import { ComplianceAlertRaisedData, ComplianceAlertResolvedData, ComplianceAlertReviewProposedData } from './events/alert.events';
import { AuditCheckpointData } from './events/audit.events';
import { KycIdentityAccessedData, KycVerificationData } from './events/kyc.events';
import {
  ErasureCompletedData,
  ErasureFinishedData,
  ErasureRequestedData,
  PolicyChangedData,
  PurgeCompletedData,
  PurgeDueData,
} from './events/retention.events';
import { WebhookReceivedData, WebhookRejectedData } from './events/webhook.events';

type DataClass = new () => object;

const DATA_CLASSES: Record<string, DataClass> = {
  [EventTypes.WebhookReceived]: WebhookReceivedData,
  [EventTypes.WebhookRejected]: WebhookRejectedData,
  [EventTypes.AmlScreeningRequested]: AmlScreeningRequestedData,
  [EventTypes.AmlScreeningCompleted]: AmlScreeningCompletedData,
  [EventTypes.AmlScreeningFailed]: AmlScreeningFailedData,
  [EventTypes.ComplianceAlertRaised]: ComplianceAlertRaisedData,
  [EventTypes.ComplianceAlertResolved]: ComplianceAlertResolvedData,
  [EventTypes.ComplianceAlertReviewProposed]: ComplianceAlertReviewProposedData,
  [EventTypes.RetentionErasureRequested]: ErasureRequestedData,
  [EventTypes.RetentionPurgeDue]: PurgeDueData,
  [EventTypes.RetentionErasureCompleted]: ErasureCompletedData,
  [EventTypes.RetentionPurgeCompleted]: PurgeCompletedData,
  [EventTypes.RetentionErasureFinished]: ErasureFinishedData,
  [EventTypes.RetentionPolicyChanged]: PolicyChangedData,
  [EventTypes.AuditCheckpoint]: AuditCheckpointData,
  [EventTypes.KycIdentityAccessed]: KycIdentityAccessedData,
  [EventTypes.AmlIdentityAccessed]: AmlIdentityAccessedData,
};

export function dataClassOf(type: string): DataClass | undefined {
  return isKycEventType(type) ? KycVerificationData : DATA_CLASSES[type];
}

export class EventValidationError extends Error {
  readonly code = 'EVENT_INVALID';
}

// Compiled once, here at load, from the DTOs' decorators: validating a record is then plain function calls.
const KYC_VALIDATOR = compileDataValidator(KycVerificationData);
const VALIDATORS = new Map<string, DataValidator>(Object.entries(DATA_CLASSES).map(([type, cls]) => [type, compileDataValidator(cls)]));

/** Validates an event's data against the DTO of its type; an unknown type is invalid. */
export function validateEvent(event: DomainEvent): void {
  const validate = isKycEventType(event.type) ? KYC_VALIDATOR : VALIDATORS.get(event.type);
  if (!validate) throw new EventValidationError(`unknown event type ${event.type}`);
  if (typeof event.data !== 'object' || event.data === null || Array.isArray(event.data)) {
    throw new EventValidationError(`data of ${event.type} is not an object`);
  }
  const violations = validate(event.data);
  if (violations.length) throw new EventValidationError(`invalid ${event.type}: ${violations.slice(0, 5).join('; ')}`);
}
