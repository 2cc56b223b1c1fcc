import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DomainEvent } from '@compliance/contracts';
import { ChainAppender } from '../chain/chain-appender';
import { ErasureService } from '../erasure/erasure.service';
import { toAuditEntry } from './entry-minimiser';

/** Turns consumed events into chain entries, set-based. */
@Injectable()
export class EventRecorder {
  constructor(
    private readonly appender: ChainAppender,
    private readonly erasure: ErasureService,
  ) {}

  /**
   * Records events in list order within the caller's transaction, with no round trip per event:
   * the entries are queued for the chain (written in one statement at commit), and only the
   * retention commands among them touch the database before that, all together.
   */
  async recordBatch(items: Array<{ event: DomainEvent }>, manager: EntityManager): Promise<void> {
    // The consumer keeps no inbox: an event already chained (a redelivery) is skipped here, before
    // anything of it, retention commands included, is applied again.
    const events = await this.appender.notChained(manager, items.map((i) => i.event));
    if (events.length === 0) return;
    this.appender.appendAll(manager, events.map(toAuditEntry), { checked: true });
    await this.erasure.onRecorded(events, manager);
  }
}
