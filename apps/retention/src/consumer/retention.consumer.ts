import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  ConsumerGroups,
  EventTypes,
  isKycEventType,
  Topics,
  type AmlScreeningCompletedData,
  type AmlScreeningFailedData,
  type AmlScreeningRequestedData,
  type DomainEvent,
  type ErasureCompletedData,
  type KycVerificationData,
  type PurgeCompletedData,
} from '@compliance/contracts';
import { ServiceRuntime } from '@compliance/platform';
import { ErasureProgressService } from '../erasure/erasure-progress.service';
import { LifecycleService } from '../lifecycle/lifecycle.service';
import { PurgesService } from '../purges/purges.service';

/**
 * One consumer group for what retention learns from: verification and screening events (the data
 * that exists and its clocks) and the services' confirmations on retention.events.v1.
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
    this.runtime.consume({
      group: ConsumerGroups.Retention,
      topics: [Topics.KycVerifications, Topics.AmlScreenings, Topics.RetentionEvents],
      handler: (event, ctx) => this.handle(event, ctx.manager),
    });
  }

  async handle(event: DomainEvent, m: EntityManager): Promise<void> {
    if (isKycEventType(event.type)) return this.lifecycle.recordVerification(m, event.data as KycVerificationData);
    switch (event.type) {
      case EventTypes.AmlScreeningRequested:
        return this.lifecycle.recordScreening(m, event.data as AmlScreeningRequestedData, null);
      case EventTypes.AmlScreeningCompleted:
        return this.lifecycle.recordScreening(m, event.data as AmlScreeningCompletedData, new Date((event.data as AmlScreeningCompletedData).completedAt));
      case EventTypes.AmlScreeningFailed:
        return this.lifecycle.recordScreening(m, event.data as AmlScreeningFailedData, new Date((event.data as AmlScreeningFailedData).failedAt));
      case EventTypes.RetentionErasureCompleted:
        return this.progress.recordConfirmation(m, event.data as ErasureCompletedData);
      case EventTypes.RetentionPurgeCompleted:
        return this.purges.recordConfirmation(m, event.data as PurgeCompletedData);
      default:
        // Our own announcements (policy changes, finished erasures) come back on retention.events.v1.
        return;
    }
  }
}
