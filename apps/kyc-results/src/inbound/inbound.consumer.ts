import { Injectable, type OnModuleInit } from '@nestjs/common';
import {
  ConsumerGroups,
  EventTypes,
  Topics,
  type DomainEvent,
  type ErasureRequestedData,
  type PurgeDueData,
  type WebhookReceivedData,
} from '@compliance/contracts';
import type { EventBatchItem, HandlerContext } from '@compliance/messaging';
import { ServiceRuntime } from '@compliance/platform';
import { RetentionCommandsService } from '../retention/retention-commands.service';
import { WebhookIntake } from '../verifications/webhook-intake';

/**
 * The kyc-results consumer group: received webhooks and retention commands, one group for both so
 * each keeps its partition order and the shared inbox. Thin: parse by type, delegate. Received
 * webhooks, the volume, are applied a fetch at a time; retention commands one by one.
 */
@Injectable()
export class InboundConsumer implements OnModuleInit {
  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly intake: WebhookIntake,
    private readonly retention: RetentionCommandsService,
  ) {}

  onModuleInit(): void {
    this.runtime.consume({
      group: ConsumerGroups.KycResults,
      topics: [Topics.WebhooksInbound, Topics.RetentionCommands],
      batchHandlers: { [EventTypes.WebhookReceived]: (items, ctx) => this.receive(items, ctx) },
      handler: (event, ctx) => this.handle(event, ctx),
    });
  }

  async receive(items: EventBatchItem[], { manager }: Pick<HandlerContext, 'manager'>): Promise<void> {
    await this.intake.receiveAll(
      items.map((i) => i.event as DomainEvent<WebhookReceivedData>),
      manager,
    );
  }

  /** Retention commands; received webhooks go to `receive`, a fetch at a time. */
  async handle(event: DomainEvent, { manager }: Pick<HandlerContext, 'manager'>): Promise<void> {
    switch (event.type) {
      case EventTypes.RetentionErasureRequested:
        return this.retention.erase(manager, event as DomainEvent<ErasureRequestedData>);
      case EventTypes.RetentionPurgeDue:
        return this.retention.purge(manager, event as DomainEvent<PurgeDueData>);
      default:
        // Other event types on these topics concern other services.
        return;
    }
  }
}
