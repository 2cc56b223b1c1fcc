import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ConsumerGroups, CONSUMED_TOPICS, decodeEvent, EventTypes, KYC_STATUSES, kycEventType, validateEvent, type DomainEvent, type RawRecord } from '@compliance/contracts';
import type { EventBatchItem } from '@compliance/messaging';
import { ANY_EVENT, BACKGROUND_FETCH_WAIT_MS, EventConsumer, EventContext } from '@compliance/platform';
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
export const RECORDED_TOPICS: string[] = [...CONSUMED_TOPICS[ConsumerGroups.AuditLog]];

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
 * Appends one chain entry per consumed event, exactly once: each run of events of one fetch goes to
 * the recorder in one call. The group keeps no inbox rows: the chain's unique event id is the record
 * of what was applied, looked up by the recorder in the same transaction (an inbox row per event
 * would double the rows this service writes).
 */
@Controller()
@EventConsumer({ group: ConsumerGroups.AuditLog, topics: RECORDED_TOPICS, chunkSize: APPEND_BATCH_SIZE, decode: decodeRecorded, dedupe: 'handlers', fetchWaitMs: BACKGROUND_FETCH_WAIT_MS })
export class RecordingController {
  constructor(private readonly recorder: EventRecorder) {}

  @EventPattern(BATCH_RECORDED_TYPES, { batch: true })
  recordAll(@Payload() items: EventBatchItem[], @Ctx() ctx: EventContext): Promise<void> {
    return this.recorder.recordBatch(items, ctx.getManager());
  }

  /** A type this version does not know yet: recorded all the same. */
  @EventPattern(ANY_EVENT)
  record(@Payload() event: DomainEvent, @Ctx() ctx: EventContext): Promise<void> {
    return this.recorder.recordBatch([{ event }], ctx.getManager());
  }
}
