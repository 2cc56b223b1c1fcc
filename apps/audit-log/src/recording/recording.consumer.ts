import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  CATALOGUE_TOPICS,
  CONSUMER_GROUPS,
  ConsumerGroups,
  decodeEvent,
  dlqTopicOf,
  Topics,
  validateEvent,
  type DomainEvent,
  type RawRecord,
} from '@compliance/contracts';
import { ServiceRuntime } from '@compliance/platform';
import { ChainAppender } from '../chain/chain-appender';
import { ErasureService } from '../erasure/erasure.service';
import { decodeDeadLetter, isDeadLetterTopic } from './dead-letter.decoder';
import { toAuditEntry } from './entry-minimiser';

/** Events per consumer transaction: one head lock and one commit are shared by this many appends. */
export const APPEND_BATCH_SIZE = 200;

/**
 * Every catalogue topic but our own checkpoints, plus the other groups' dead-letter topics
 * (never our own: recording a failure to record would loop).
 */
export const RECORDED_TOPICS: string[] = [
  ...CATALOGUE_TOPICS.filter((t) => t !== Topics.AuditCheckpoints),
  ...CONSUMER_GROUPS.filter((g) => g !== ConsumerGroups.AuditLog).map(dlqTopicOf),
];

export function decodeRecorded(raw: RawRecord, topic: string): DomainEvent {
  if (isDeadLetterTopic(topic)) return decodeDeadLetter(raw, topic);
  const event = decodeEvent(raw);
  validateEvent(event);
  return event;
}

/** Appends one chain entry per consumed event, exactly once (the runtime's inbox shares the transaction). */
@Injectable()
export class RecordingConsumer implements OnModuleInit {
  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly appender: ChainAppender,
    private readonly erasure: ErasureService,
  ) {}

  onModuleInit(): void {
    this.runtime.consume({
      group: ConsumerGroups.AuditLog,
      topics: RECORDED_TOPICS,
      chunkSize: APPEND_BATCH_SIZE,
      decode: decodeRecorded,
      handler: (event, { manager }) => this.record(event, manager),
    });
  }

  async record(event: DomainEvent, manager: EntityManager): Promise<void> {
    this.appender.append(manager, toAuditEntry(event));
    await this.erasure.onRecorded(event, manager);
  }
}
