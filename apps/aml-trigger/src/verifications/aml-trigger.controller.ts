import { Controller, Inject, Optional } from '@nestjs/common';
import type { Keyring } from '@compliance/persistence';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ConsumerGroups, CONSUMED_TOPICS, EventTypes, kycEventType, type DomainEvent, type ErasureRequestedData, type KycVerificationData } from '@compliance/contracts';
import type { EventBatchItem } from '@compliance/messaging';
import { CRITICAL_PATH_FETCH_WAIT_MS, EventConsumer, EventContext, KEYRING } from '@compliance/platform';
import { RetentionService } from '../retention/retention.service';
import { ApprovedVerificationHandler } from './approved-verification.handler';

/**
 * The service's one consumer group: verification results (screen on approval) and retention
 * commands (erase, purge). A fetch's effects and its inbox rows commit together. Approvals are
 * applied a fetch at a time; every other verification status (and kyc.identity.accessed) has no
 * handler here, so it is recorded in the inbox only and neither costs a statement nor splits a run of
 * approvals.
 */
@Controller()
@EventConsumer({ group: ConsumerGroups.AmlTrigger, topics: [...CONSUMED_TOPICS[ConsumerGroups.AmlTrigger]], fetchWaitMs: CRITICAL_PATH_FETCH_WAIT_MS })
export class AmlTriggerController {
  constructor(
    private readonly verifications: ApprovedVerificationHandler,
    private readonly retention: RetentionService,
    @Optional() @Inject(KEYRING) private readonly keyring: Keyring | null = null,
  ) {}

  @EventPattern(kycEventType('approved'), { batch: true })
  approved(@Payload() items: EventBatchItem<KycVerificationData>[], @Ctx() ctx: EventContext): Promise<void> {
    return this.verifications.handleBatch(items, ctx.getManager());
  }

  @EventPattern([EventTypes.RetentionErasureRequested, EventTypes.RetentionPurgeDue])
  async retentionCommand(@Payload() event: DomainEvent, @Ctx() ctx: EventContext): Promise<void> {
    if (event.type === EventTypes.RetentionErasureRequested) {
      // The person's data keys are destroyed: drop any cached copy first.
      const { subjectRef, sessionIds } = event.data as ErasureRequestedData;
      await this.keyring?.forget({ subjectRefs: [subjectRef], sessionIds });
    }
    return this.retention.handle(event, ctx.getManager());
  }
}
