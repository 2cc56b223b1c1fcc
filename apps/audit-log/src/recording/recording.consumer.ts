import { Injectable, type OnModuleInit } from '@nestjs/common';
import {
  CATALOGUE_TOPICS,
  CONSUMER_GROUPS,
  ConsumerGroups,
  decodeEvent,
  dlqTopicOf,
  EventTypes,
  KYC_STATUSES,
  kycEventType,
  Topics,
  validateEvent,
  type DomainEvent,
  type RawRecord,
} from '@compliance/contracts';
import type { BatchEventHandler } from '@compliance/messaging';
import { ServiceRuntime } from '@compliance/platform';
import { AuditEntryTypes } from '../chain/audit-entry';
import { decodeDeadLetter, isDeadLetterTopic } from './dead-letter.decoder';
import { EventRecorder } from './event-recorder';

/**
 * Most events per partition in one consumer transaction (the runtime applies a whole fetch, across
 * partitions, in one transaction): one head lock, one insert and one commit are shared by them all.
 */
export const APPEND_BATCH_SIZE = 500;

/**
 * Every catalogue topic but our own checkpoints, plus the other groups' dead-letter topics
 * (never our own: recording a failure to record would loop).
 */
export const RECORDED_TOPICS: string[] = [
  ...CATALOGUE_TOPICS.filter((t) => t !== Topics.AuditCheckpoints),
  ...CONSUMER_GROUPS.filter((g) => g !== ConsumerGroups.AuditLog).map(dlqTopicOf),
];

/**
 * The event types recorded set-based: every type of the catalogue and the dead letters `decode`
 * makes. A type this version does not know goes through the per-event handler, to the same method.
 */
export const BATCH_RECORDED_TYPES: string[] = [
  ...Object.values(EventTypes).filter((t) => t !== EventTypes.AuditCheckpoint),
  ...KYC_STATUSES.map(kycEventType),
  AuditEntryTypes.DeadLetter,
];

export function decodeRecorded(raw: RawRecord, topic: string): DomainEvent {
  if (isDeadLetterTopic(topic)) return decodeDeadLetter(raw, topic);
  const event = decodeEvent(raw);
  validateEvent(event);
  return event;
}

/**
 * Appends one chain entry per consumed event, exactly once (the runtime's inbox shares the
 * transaction): each run of events of one fetch goes to the recorder in one call.
 */
@Injectable()
export class RecordingConsumer implements OnModuleInit {
  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly recorder: EventRecorder,
  ) {}

  onModuleInit(): void {
    const batch: BatchEventHandler = (items, { manager }) => this.recorder.recordBatch(items, manager);
    this.runtime.consume({
      group: ConsumerGroups.AuditLog,
      topics: RECORDED_TOPICS,
      chunkSize: APPEND_BATCH_SIZE,
      decode: decodeRecorded,
      batchHandlers: Object.fromEntries(BATCH_RECORDED_TYPES.map((type) => [type, batch])),
      handler: (event, { manager }) => this.recorder.recordBatch([{ event }], manager),
    });
  }
}
