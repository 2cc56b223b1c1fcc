import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ConsumerGroups, Topics } from '@compliance/contracts';
import { ServiceRuntime } from '@compliance/platform';
import { RawWebhookRetention } from './raw-webhook-retention.service';

/** Retention commands (erasure, purge) addressed to every data-holding service. */
@Injectable()
export class RetentionConsumer implements OnModuleInit {
  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly retention: RawWebhookRetention,
  ) {}

  onModuleInit(): void {
    this.runtime.consume({
      group: ConsumerGroups.WebhookGateway,
      topics: [Topics.RetentionCommands],
      handler: (event, { manager }) => this.retention.handle(event, manager),
    });
  }
}
