import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  EventSources,
  EventTypes,
  newEvent,
  PURGE_OWNERS,
  Topics,
  type DataCategory,
  type DomainEvent,
  type ErasureCompletedData,
  type ErasureRequestedData,
  type PurgeCompletedData,
  type PurgeDueData,
} from '@compliance/contracts';
import { addToOutbox } from '@compliance/persistence';
import { SERVICE_NAME } from '../service-name';

async function count(m: EntityManager, sql: string, params: unknown[]): Promise<number> {
  const [row] = await m.query(`WITH affected AS (${sql} RETURNING 1) SELECT count(*)::int AS n FROM affected`, params);
  return row.n;
}

/** Sent outbox rows keep event bodies (identity included) for a while; erasure and purge remove them now. */
const deleteSentOutbox = (m: EntityManager, keys: string[]) => count(m, 'DELETE FROM outbox WHERE sent_at IS NOT NULL AND key = ANY($1)', [keys]);

/**
 * kyc-results' part of the retention protocol: erase a subject's personal data on request, purge
 * verification_data whose clock has run out, and confirm each on retention.events.v1 in the same
 * transaction. Repeating a command is harmless (counts 0).
 */
@Injectable()
export class RetentionCommandsService {
  async erase(m: EntityManager, command: DomainEvent<ErasureRequestedData>): Promise<void> {
    const { requestId, subjectRef, sessionIds = [] } = command.data;
    const rows: Array<{ session_id: string }> = await m.query(
      'SELECT session_id FROM verification_sessions WHERE subject_ref = $1 OR session_id = ANY($2) ORDER BY session_id FOR UPDATE',
      [subjectRef, sessionIds],
    );
    const ids = rows.map((r) => r.session_id);
    const counts = {
      identity_attributes: await count(m, 'DELETE FROM identity_attributes WHERE session_id = ANY($1)', [ids]),
      // Status and times stay (not personal); the subject reference and the biometric-derived summary go.
      verification_sessions: await count(
        m,
        `UPDATE verification_sessions SET subject_ref = NULL, document_type = NULL, issuing_country = NULL, liveness_score = NULL,
           face_match_score = NULL, ip_risk_flags = NULL, provider_aml = NULL, erased_at = now(), updated_at = now()
         WHERE session_id = ANY($1) AND erased_at IS NULL`,
        [ids],
      ),
      outbox: await deleteSentOutbox(m, [...ids, subjectRef]),
    };
    const data: ErasureCompletedData = { requestId, service: SERVICE_NAME, subjectRef, counts, completedAt: new Date().toISOString() };
    await this.confirm(m, EventTypes.RetentionErasureCompleted, subjectRef, data, command.traceparent);
  }

  async purge(m: EntityManager, command: DomainEvent<PurgeDueData>): Promise<void> {
    const { purgeId, category, subjectRef, sessionId, clockStartedBefore } = command.data;
    if (!PURGE_OWNERS[category as DataCategory]?.includes(SERVICE_NAME)) return;
    const rows: Array<{ session_id: string }> = await m.query(
      `SELECT session_id FROM verification_sessions
       WHERE coalesce(decided_at, last_event_at) < $1 AND ($2::text IS NULL OR session_id = $2) AND ($3::text IS NULL OR subject_ref = $3)
       ORDER BY session_id FOR UPDATE`,
      [clockStartedBefore, sessionId ?? null, subjectRef ?? null],
    );
    const ids = rows.map((r) => r.session_id);
    const counts = {
      identity_attributes: await count(m, 'DELETE FROM identity_attributes WHERE session_id = ANY($1)', [ids]),
      verification_status_history: await count(m, 'DELETE FROM verification_status_history WHERE session_id = ANY($1)', [ids]),
      verification_sessions: await count(m, 'DELETE FROM verification_sessions WHERE session_id = ANY($1)', [ids]),
      outbox: await deleteSentOutbox(m, ids),
    };
    const data: PurgeCompletedData = { purgeId, service: SERVICE_NAME, category, counts, completedAt: new Date().toISOString() };
    if (subjectRef) data.subjectRef = subjectRef;
    if (sessionId) data.sessionId = sessionId;
    await this.confirm(m, EventTypes.RetentionPurgeCompleted, subjectRef ?? sessionId ?? purgeId, data, command.traceparent);
  }

  private async confirm(m: EntityManager, type: string, key: string, data: object, causeTraceparent?: string): Promise<void> {
    const event = newEvent({ type, source: EventSources.KycResults, subject: key, data, causeTraceparent });
    await addToOutbox(m, Topics.RetentionEvents, key, event);
  }
}
