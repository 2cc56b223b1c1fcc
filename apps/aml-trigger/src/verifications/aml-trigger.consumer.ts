import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ConsumerGroups, Topics } from '@compliance/contracts';
import { ServiceRuntime } from '@compliance/platform';
import { RetentionService } from '../retention/retention.service';
import { PendingScreeningWorker } from '../screenings/pending-screening.worker';
import { ApprovedVerificationHandler } from './approved-verification.handler';

/**
 * The service's one consumer group: verification results (screen on approval) and retention
 * commands (erase, purge). Each event's effects and its inbox row commit together.
 */
@Injectable()
export class AmlTriggerConsumer implements OnModuleInit {
  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly verifications: ApprovedVerificationHandler,
    private readonly retention: RetentionService,
    private readonly worker: PendingScreeningWorker,
  ) {}

  onModuleInit(): void {
    this.runtime.consume({
      group: ConsumerGroups.AmlTrigger,
      topics: [Topics.KycVerifications, Topics.RetentionCommands],
      handler: (event, { manager, record }) =>
        record.topic === Topics.RetentionCommands ? this.retention.handle(event, manager) : this.verifications.handle(event, manager),
      // Committed screenings have events to publish and, with a remote provider, calls to make.
      onCommitted: ({ wroteOutbox }) => {
        if (!wroteOutbox) return;
        this.runtime.relay.kick();
        this.worker.kick();
      },
    });
  }
}
