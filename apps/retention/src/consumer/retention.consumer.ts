import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  ConsumerGroups,
  EventTypes,
  KYC_STATUSES,
  kycEventType,
  Topics,
  type AmlScreeningCompletedData,
  type AmlScreeningFailedData,
  type AmlScreeningRequestedData,
  type DomainEvent,
  type ErasureCompletedData,
  type KycVerificationData,
  type PurgeCompletedData,
} from '@compliance/contracts';
import type { BatchEventHandler, EventBatchItem } from '@compliance/messaging';
import { ServiceRuntime } from '@compliance/platform';
import { ErasureProgressService } from '../erasure/erasure-progress.service';
import { LifecycleService, type LifecycleFact } from '../lifecycle/lifecycle.service';
import { PurgesService } from '../purges/purges.service';

/** The lifecycle fact each kyc and aml event type carries: every webhook brings several of these. */
const FACT_OF: Record<string, (event: DomainEvent) => LifecycleFact> = {
  ...Object.fromEntries(
    KYC_STATUSES.map((status) => [
      kycEventType(status),
      (e: DomainEvent) => {
        const d = e.data as KycVerificationData;
        return { kind: 'verification', sessionId: d.sessionId, subjectRef: d.subjectRef, status: d.status, at: new Date(d.occurredAt) } satisfies LifecycleFact;
      },
    ]),
  ),
  [EventTypes.AmlScreeningRequested]: (e) => {
    const d = e.data as AmlScreeningRequestedData;
    return { kind: 'screening', subjectRef: d.subjectRef, sessionId: d.sessionId, at: null };
  },
  [EventTypes.AmlScreeningCompleted]: (e) => {
    const d = e.data as AmlScreeningCompletedData;
    return { kind: 'screening', subjectRef: d.subjectRef, sessionId: d.sessionId, at: new Date(d.completedAt) };
  },
  [EventTypes.AmlScreeningFailed]: (e) => {
    const d = e.data as AmlScreeningFailedData;
    return { kind: 'screening', subjectRef: d.subjectRef, sessionId: d.sessionId, at: new Date(d.failedAt) };
  },
};

const IGNORED = [EventTypes.KycIdentityAccessed, EventTypes.RetentionPolicyChanged, EventTypes.RetentionErasureFinished];

/**
 * One consumer group for what retention learns from: verification and screening events (the data
 * that exists and its clocks), applied a batch at a time, and the services' confirmations on
 * retention.events.v1, which are rare and applied one by one.
 */
@Injectable()
export class RetentionConsumer implements OnModuleInit {
  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly lifecycle: LifecycleService,
    private readonly purges: PurgesService,
    private readonly progress: ErasureProgressService,
  ) {}

  onModuleInit(): void {
    const lifecycle: BatchEventHandler = (items, ctx) => this.applyLifecycle(items, ctx.manager);
    this.runtime.consume({
      group: ConsumerGroups.Retention,
      topics: [Topics.KycVerifications, Topics.AmlScreenings, Topics.RetentionEvents],
      batchHandlers: {
        ...Object.fromEntries(Object.keys(FACT_OF).map((type) => [type, lifecycle])),
        // Nothing to learn from these (identity reads, our own announcements coming back): ignored
        // before the runtime forms runs, so they cost no call and split no batch of the others.
        ...Object.fromEntries(IGNORED.map((type) => [type, null])),
      },
      handler: (event, ctx) => this.handle(event, ctx.manager),
    });
  }

  applyLifecycle(items: EventBatchItem[], m: EntityManager): Promise<void> {
    return this.lifecycle.apply(
      m,
      items.map(({ event }) => FACT_OF[event.type](event)),
    );
  }

  async handle(event: DomainEvent, m: EntityManager): Promise<void> {
    const fact = FACT_OF[event.type];
    if (fact) return this.lifecycle.apply(m, [fact(event)]);
    switch (event.type) {
      case EventTypes.RetentionErasureCompleted:
        return this.progress.recordConfirmation(m, event.data as ErasureCompletedData);
      case EventTypes.RetentionPurgeCompleted:
        return this.purges.recordConfirmation(m, event.data as PurgeCompletedData);
      default:
        // Anything else on these topics needs nothing here.
        return;
    }
  }
}
