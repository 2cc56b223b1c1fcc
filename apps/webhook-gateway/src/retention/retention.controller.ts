import { Controller, Inject, Optional } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ConsumerGroups, CONSUMED_TOPICS, EventTypes, type DomainEvent, type ErasureRequestedData } from '@compliance/contracts';
import type { Keyring } from '@compliance/persistence';
import { EventConsumer, EventContext, KEYRING } from '@compliance/platform';
import { RawWebhookRetention } from './raw-webhook-retention.service';

/** Retention commands (erasure, purge) addressed to every data-holding service. */
@Controller()
@EventConsumer({ group: ConsumerGroups.WebhookGateway, topics: [...CONSUMED_TOPICS[ConsumerGroups.WebhookGateway]] })
export class RetentionController {
  constructor(
    private readonly retention: RawWebhookRetention,
    @Optional() @Inject(KEYRING) private readonly keyring: Keyring | null,
  ) {}

  @EventPattern([EventTypes.RetentionErasureRequested, EventTypes.RetentionPurgeDue])
  async command(@Payload() event: DomainEvent, @Ctx() ctx: EventContext): Promise<void> {
    if (event.type === EventTypes.RetentionErasureRequested) {
      // The person's data keys are destroyed: no cached copy may seal anything new.
      const { subjectRef, sessionIds } = event.data as ErasureRequestedData;
      await this.keyring?.forget({ subjectRefs: [subjectRef], sessionIds });
    }
    return this.retention.handle(event, ctx.getManager());
  }
}
