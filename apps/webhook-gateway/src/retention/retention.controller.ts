import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ConsumerGroups, CONSUMED_TOPICS, EventTypes, type DomainEvent } from '@compliance/contracts';
import { EventConsumer, EventContext } from '@compliance/platform';
import { RawWebhookRetention } from './raw-webhook-retention.service';

/** Retention commands (erasure, purge) addressed to every data-holding service. */
@Controller()
@EventConsumer({ group: ConsumerGroups.WebhookGateway, topics: [...CONSUMED_TOPICS[ConsumerGroups.WebhookGateway]] })
export class RetentionController {
  constructor(private readonly retention: RawWebhookRetention) {}

  @EventPattern([EventTypes.RetentionErasureRequested, EventTypes.RetentionPurgeDue])
  command(@Payload() event: DomainEvent, @Ctx() ctx: EventContext): Promise<void> {
    return this.retention.handle(event, ctx.getManager());
  }
}
