import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ConsumerGroups, KYC_STATUSES, kycEventType, Topics } from '@compliance/contracts';
import type { BatchEventHandler } from '@compliance/messaging';
import { ServiceRuntime } from '@compliance/platform';
import { RetentionService } from '../retention/retention.service';
import { PendingScreeningWorker } from '../screenings/pending-screening.worker';
import { ApprovedVerificationHandler } from './approved-verification.handler';

/**
 * The service's one consumer group: verification results (screen on approval) and retention
 * commands (erase, purge). A fetch's effects and its inbox rows commit together. Approvals are
 * applied a fetch at a time; every other verification status is ignored (recorded in the inbox only),
 * so it neither costs a statement nor splits a run of approvals.
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
    const batchHandlers: Record<string, BatchEventHandler | null> = Object.fromEntries(KYC_STATUSES.map((status) => [kycEventType(status), null]));
    batchHandlers[kycEventType('approved')] = (items, { manager }) => this.verifications.handleBatch(items, manager);
    this.runtime.consume({
      group: ConsumerGroups.AmlTrigger,
      topics: [Topics.KycVerifications, Topics.RetentionCommands],
      batchHandlers,
      // Retention commands; anything else on the verifications topic (kyc.identity.accessed) is not ours.
      handler: async (event, { manager, record }) => {
        if (record.topic === Topics.RetentionCommands) await this.retention.handle(event, manager);
      },
      // Committed screenings have events to publish and, with a remote provider, calls to make.
      onCommitted: ({ wroteOutbox }) => {
        if (!wroteOutbox) return;
        this.runtime.relay.kick();
        this.worker.kick();
      },
    });
  }
}
