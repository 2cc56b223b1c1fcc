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
import { affectedRows, confirmErasure, confirmPurge, deleteSentOutbox } from '@compliance/messaging';
import { SERVICE_NAME } from '../service-name';


type Counts = Record<string, number>;

const deleted = affectedRows;
const PARTY = { service: SERVICE_NAME, source: EventSources.WebhookGateway };

/**
 * The gateway's part of erasure and the owner of `raw_webhooks` purges. Personal data here is the
 * spooled payloads and, in the dedupe rows, the subject/session ids and content fingerprints; both
 * go. Forgetting the dedupe rows means a provider retry of an erased webhook would be taken again.
 */
@Injectable()
export class RawWebhookRetention {
  async handle(event: DomainEvent, m: EntityManager): Promise<void> {
    if (event.type === EventTypes.RetentionErasureRequested) await this.erase(m, event as DomainEvent<ErasureRequestedData>);
    else if (event.type === EventTypes.RetentionPurgeDue) await this.purge(m, event as DomainEvent<PurgeDueData>);
  }

  private async erase(m: EntityManager, event: DomainEvent<ErasureRequestedData>): Promise<void> {
    const { subjectRef, sessionIds = [] } = event.data;
    const sessions = await this.sessionsOf(m, subjectRef, sessionIds);
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
    else if (subjectRef) counts = await this.deleteRows(m, subjectRef, await this.sessionsOf(m, subjectRef, []));
    else {
      counts = {
        spool: await deleted(m, 'DELETE FROM spool WHERE received_at < $1', [clockStartedBefore]),
        deliveries: await deleted(m, 'DELETE FROM deliveries WHERE received_at < $1', [clockStartedBefore]),
      };
    }
    await confirmPurge(m, PARTY, event, counts);
  }

  private async deleteRows(m: EntityManager, subjectRef: string | null, sessions: string[]): Promise<Counts> {
    const where = '(subject_ref = $1 OR session_key = ANY($2::text[]))';
    return {
      spool: await deleted(m, `DELETE FROM spool WHERE ${where}`, [subjectRef, sessions]),
      deliveries: await deleted(m, `DELETE FROM deliveries WHERE ${where}`, [subjectRef, sessions]),
    };
  }

  /** The subject's sessions: named in the request, or seen with its reference (webhooks of one session may lack it). */
  private async sessionsOf(m: EntityManager, subjectRef: string, named: string[]): Promise<string[]> {
    const [row] = await m.query(
      `SELECT array(SELECT session_key FROM deliveries WHERE subject_ref = $1
                    UNION SELECT session_key FROM spool WHERE subject_ref = $1
                    UNION SELECT unnest($2::text[])) AS sessions`,
      [subjectRef, named],
    );
    return row.sessions;
  }

}
