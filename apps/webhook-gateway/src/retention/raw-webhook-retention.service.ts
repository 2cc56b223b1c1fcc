import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  EventSources,
  EventTypes,
  type DomainEvent,
  type ErasureRequestedData,
  type PurgeDueData,
  ownsPurge,
} from '@compliance/contracts';
import { confirmErasure, confirmPurge, deleteSentOutbox } from '@compliance/messaging';
import { deleteDeliveriesReceivedBefore, forgetDeliveriesOf, sessionsOfSubject } from '../ingest/delivery.repository';
import { WebhookGatewayConfig } from '../webhook-gateway.config';
import { deleteSpooledOf, deleteSpooledReceivedBefore } from '../spool/spool.repository';
import { SERVICE_NAME } from '../service-name';

type Counts = Record<string, number>;

const PARTY = { service: SERVICE_NAME, source: EventSources.WebhookGateway };

/** Margin over the accepted event age during which an erased webhook's dedupe keys are kept (clock skew). */
const GUARD_MARGIN_SEC = 3600;

/**
 * The gateway's part of erasure and the owner of `raw_webhooks` purges. Personal data here is the
 * spooled payloads and, in the dedupe rows, the subject and session ids: both go. The dedupe keys of
 * a recent delivery (delivery id, content fingerprint: digests, no personal data) stay until its
 * signed event time is too old to pass the age check, so a replay of an erased webhook, or a
 * provider's retry of it, is answered as a duplicate and never published again.
 */
@Injectable()
export class RawWebhookRetention {
  private readonly guardSec: number;

  constructor(config: WebhookGatewayConfig) {
    // The oldest event any enabled scheme still accepts (Didit's bound, the other providers' bound).
    this.guardSec = Math.max(config.DIDIT_MAX_EVENT_AGE_SEC, config.WEBHOOK_MAX_EVENT_AGE_SEC) + GUARD_MARGIN_SEC;
  }

  async handle(event: DomainEvent, m: EntityManager): Promise<void> {
    if (event.type === EventTypes.RetentionErasureRequested) await this.erase(m, event as DomainEvent<ErasureRequestedData>);
    else if (event.type === EventTypes.RetentionPurgeDue) await this.purge(m, event as DomainEvent<PurgeDueData>);
  }

  private async erase(m: EntityManager, event: DomainEvent<ErasureRequestedData>): Promise<void> {
    const { subjectRef, sessionIds = [] } = event.data;
    const sessions = await sessionsOfSubject(m, subjectRef, sessionIds);
    const counts: Counts = {
      ...(await this.deleteRows(m, subjectRef, sessions)),
      outbox: await deleteSentOutbox(m, [subjectRef, ...sessions]),
    };
    await confirmErasure(m, PARTY, event, counts);
  }

  private async purge(m: EntityManager, event: DomainEvent<PurgeDueData>): Promise<void> {
    const { category, subjectRef, sessionId, clockStartedBefore } = event.data;
    if (!ownsPurge(SERVICE_NAME, category)) return;
    let counts: Counts;
    if (sessionId) counts = await this.deleteRows(m, null, [sessionId]);
    else if (subjectRef) counts = await this.deleteRows(m, subjectRef, await sessionsOfSubject(m, subjectRef, []));
    else {
      counts = {
        spool: await deleteSpooledReceivedBefore(m, clockStartedBefore),
        deliveries: await deleteDeliveriesReceivedBefore(m, clockStartedBefore),
      };
    }
    await confirmPurge(m, PARTY, event, counts);
  }

  private async deleteRows(m: EntityManager, subjectRef: string | null, sessions: string[]): Promise<Counts> {
    const spool = await deleteSpooledOf(m, subjectRef, sessions);
    const { deleted, guarded } = await forgetDeliveriesOf(m, subjectRef, sessions, this.guardSec);
    // deliveries: no longer linked to the subject (deleted, or kept as an anonymous replay guard).
    return { spool, deliveries: deleted + guarded, replay_guards: guarded };
  }
}
