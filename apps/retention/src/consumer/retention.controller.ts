import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ConsumerGroups, CONSUMED_TOPICS, EventTypes, KYC_STATUSES, kycEventType, type AmlScreeningCompletedData, type AmlScreeningFailedData, type AmlScreeningRequestedData, type DomainEvent, type ErasureCompletedData, type KycVerificationData, type PurgeCompletedData } from '@compliance/contracts';
import type { EventBatchItem } from '@compliance/messaging';
import { BACKGROUND_FETCH_WAIT_MS, EventConsumer, EventContext } from '@compliance/platform';
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

const LIFECYCLE_TYPES = Object.keys(FACT_OF);

/**
 * One consumer group for what retention learns from: verification and screening events (the data
 * that exists and its clocks), applied a batch at a time, and the services' confirmations on
 * retention.events.v1, which are rare and applied one by one. Identity reads and our own
 * announcements coming back have no handler: skipped before batches form, so they cost no call and
 * split no batch of the others.
 */
@Controller()
@EventConsumer({ group: ConsumerGroups.Retention, topics: [...CONSUMED_TOPICS[ConsumerGroups.Retention]], fetchWaitMs: BACKGROUND_FETCH_WAIT_MS })
export class RetentionController {
  constructor(
    private readonly lifecycle: LifecycleService,
    private readonly purges: PurgesService,
    private readonly progress: ErasureProgressService,
  ) {}

  @EventPattern(LIFECYCLE_TYPES, { batch: true })
  applyLifecycle(@Payload() items: EventBatchItem[], @Ctx() ctx: EventContext): Promise<void> {
    return this.lifecycle.apply(
      ctx.getManager(),
      items.map(({ event }) => FACT_OF[event.type](event)),
    );
  }

  @EventPattern(EventTypes.RetentionErasureCompleted)
  erasureCompleted(@Payload() event: DomainEvent<ErasureCompletedData>, @Ctx() ctx: EventContext): Promise<void> {
    return this.progress.recordConfirmation(ctx.getManager(), event.data);
  }

  @EventPattern(EventTypes.RetentionPurgeCompleted)
  purgeCompleted(@Payload() event: DomainEvent<PurgeCompletedData>, @Ctx() ctx: EventContext): Promise<void> {
    return this.purges.recordConfirmation(ctx.getManager(), event.data);
  }
}
