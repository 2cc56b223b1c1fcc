import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { EventTypes, isKycEventType } from './event-types';
import type { DomainEvent } from './envelope';
import { AmlScreeningCompletedData, AmlScreeningFailedData, AmlScreeningRequestedData } from './events/aml.events';
import { ComplianceAlertRaisedData, ComplianceAlertResolvedData } from './events/alert.events';
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
  [EventTypes.RetentionErasureRequested]: ErasureRequestedData,
  [EventTypes.RetentionPurgeDue]: PurgeDueData,
  [EventTypes.RetentionErasureCompleted]: ErasureCompletedData,
  [EventTypes.RetentionPurgeCompleted]: PurgeCompletedData,
  [EventTypes.RetentionErasureFinished]: ErasureFinishedData,
  [EventTypes.RetentionPolicyChanged]: PolicyChangedData,
  [EventTypes.AuditCheckpoint]: AuditCheckpointData,
  [EventTypes.KycIdentityAccessed]: KycIdentityAccessedData,
};

export function dataClassOf(type: string): DataClass | undefined {
  return isKycEventType(type) ? KycVerificationData : DATA_CLASSES[type];
}

export class EventValidationError extends Error {
  readonly code = 'EVENT_INVALID';
}

function describe(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((e) => {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.keys(e.constraints ?? {}).map((c) => `${path}: ${c}`);
    return [...own, ...describe(e.children ?? [], path)];
  });
}

/** Validates an event's data against the DTO of its type; an unknown type is invalid. */
export function validateEvent(event: DomainEvent): void {
  const cls = dataClassOf(event.type);
  if (!cls) throw new EventValidationError(`unknown event type ${event.type}`);
  if (typeof event.data !== 'object' || event.data === null || Array.isArray(event.data)) {
    throw new EventValidationError(`data of ${event.type} is not an object`);
  }
  const errors = validateSync(plainToInstance(cls, event.data), { forbidUnknownValues: false });
  if (errors.length) throw new EventValidationError(`invalid ${event.type}: ${describe(errors).slice(0, 5).join('; ')}`);
}
