import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  EventSources,
  EventTypes,
  newEvent,
  PURGE_OWNERS,
  Topics,
  type DomainEvent,
  type ErasureCompletedData,
  type ErasureRequestedData,
  type PurgeCompletedData,
  type PurgeDueData,
} from '@compliance/contracts';
import { addToOutbox } from '@compliance/persistence';
import { SERVICE_NAME } from '../service-name';


type Counts = Record<string, number>;

/** Rows deleted, counted in SQL (TypeORM's DELETE result shape is not relied on). */
async function deleted(m: EntityManager, deleteSql: string, params: unknown[]): Promise<number> {
  const [row] = await m.query(`WITH gone AS (${deleteSql} RETURNING 1) SELECT count(*)::int AS n FROM gone`, params);
  return row.n;
}

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
    const { requestId, subjectRef, sessionIds = [] } = event.data;
    const sessions = await this.sessionsOf(m, subjectRef, sessionIds);
    const counts: Counts = {
      ...(await this.deleteRows(m, subjectRef, sessions)),
      outbox: await deleted(m, 'DELETE FROM outbox WHERE sent_at IS NOT NULL AND key = ANY($1::text[])', [[subjectRef, ...sessions]]),
    };
    const data: ErasureCompletedData = { requestId, service: SERVICE_NAME, subjectRef, counts, completedAt: new Date().toISOString() };
    await this.answer(m, EventTypes.RetentionErasureCompleted, subjectRef, data, event);
  }

  private async purge(m: EntityManager, event: DomainEvent<PurgeDueData>): Promise<void> {
    const { purgeId, category, subjectRef, sessionId, clockStartedBefore } = event.data;
    if (!PURGE_OWNERS[category as keyof typeof PURGE_OWNERS]?.includes(SERVICE_NAME)) return;
    let counts: Counts;
    if (sessionId) counts = await this.deleteRows(m, null, [sessionId]);
    else if (subjectRef) counts = await this.deleteRows(m, subjectRef, await this.sessionsOf(m, subjectRef, []));
    else {
      counts = {
        spool: await deleted(m, 'DELETE FROM spool WHERE received_at < $1', [clockStartedBefore]),
        deliveries: await deleted(m, 'DELETE FROM deliveries WHERE received_at < $1', [clockStartedBefore]),
      };
    }
    const data: PurgeCompletedData = {
      purgeId,
      service: SERVICE_NAME,
      category,
      ...(subjectRef ? { subjectRef } : {}),
      ...(sessionId ? { sessionId } : {}),
      counts,
      completedAt: new Date().toISOString(),
    };
    await this.answer(m, EventTypes.RetentionPurgeCompleted, subjectRef ?? sessionId ?? purgeId, data, event);
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

  private async answer(m: EntityManager, type: string, key: string, data: object, cause: DomainEvent): Promise<void> {
    const event = newEvent({ type, source: EventSources.WebhookGateway, subject: key, data, causeTraceparent: cause.traceparent });
    await addToOutbox(m, Topics.RetentionEvents, key, event);
  }
}
