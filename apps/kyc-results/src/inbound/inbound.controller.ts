import { Controller, Inject, Optional } from '@nestjs/common';
import type { Keyring } from '@compliance/persistence';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ConsumerGroups, CONSUMED_TOPICS, EventTypes, type DomainEvent, type ErasureRequestedData, type PurgeDueData, type WebhookReceivedData } from '@compliance/contracts';
import type { EventBatchItem } from '@compliance/messaging';
import { CRITICAL_PATH_FETCH_WAIT_MS, EventConsumer, EventContext, KEYRING } from '@compliance/platform';
import { RetentionCommandsService } from '../retention/retention-commands.service';
import { WebhookIntake } from '../verifications/webhook-intake';

/**
 * The kyc-results consumer group: received webhooks and retention commands, one group for both so
 * each keeps its partition order and the shared inbox. Thin: delegate by type. Received webhooks,
 * the volume, are applied a fetch at a time; retention commands one by one. Other types on these
 * topics concern other services and are skipped.
 */
@Controller()
@EventConsumer({ group: ConsumerGroups.KycResults, topics: [...CONSUMED_TOPICS[ConsumerGroups.KycResults]], fetchWaitMs: CRITICAL_PATH_FETCH_WAIT_MS })
export class InboundController {
  constructor(
    private readonly intake: WebhookIntake,
    private readonly retention: RetentionCommandsService,
    @Optional() @Inject(KEYRING) private readonly keyring: Keyring | null = null,
  ) {}

  @EventPattern(EventTypes.WebhookReceived, { batch: true })
  async receive(@Payload() items: EventBatchItem<WebhookReceivedData>[], @Ctx() ctx: EventContext): Promise<void> {
    await this.intake.receiveAll(
      items.map((i) => i.event),
      ctx.getManager(),
    );
  }

  @EventPattern(EventTypes.RetentionErasureRequested)
  async erase(@Payload() event: DomainEvent<ErasureRequestedData>, @Ctx() ctx: EventContext): Promise<void> {
    // The person's data keys are destroyed: drop any cached copy first.
    await this.keyring?.forget({ subjectRefs: [event.data.subjectRef], sessionIds: event.data.sessionIds });
    return this.retention.erase(ctx.getManager(), event);
  }

  @EventPattern(EventTypes.RetentionPurgeDue)
  purge(@Payload() event: DomainEvent<PurgeDueData>, @Ctx() ctx: EventContext): Promise<void> {
    return this.retention.purge(ctx.getManager(), event);
  }
}
