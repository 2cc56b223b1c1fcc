import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  EventSources,
  type DomainEvent,
  type ErasureRequestedData,
  type PurgeDueData,
  ownsPurge,
} from '@compliance/contracts';
import { affectedRows, confirmErasure, confirmPurge, deleteSentOutbox } from '@compliance/messaging';
import { SERVICE_NAME } from '../service-name';

const count = affectedRows;
const PARTY = { service: SERVICE_NAME, source: EventSources.KycResults };

/**
 * kyc-results' part of the retention protocol: erase a subject's personal data on request, purge
 * verification_data whose clock has run out, and confirm each on retention.events.v1 in the same
 * transaction. Repeating a command is harmless (counts 0).
 */
@Injectable()
export class RetentionCommandsService {
  async erase(m: EntityManager, command: DomainEvent<ErasureRequestedData>): Promise<void> {
    const { subjectRef, sessionIds = [] } = command.data;
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
    await confirmErasure(m, PARTY, command, counts);
  }

  async purge(m: EntityManager, command: DomainEvent<PurgeDueData>): Promise<void> {
    const { category, subjectRef, sessionId, clockStartedBefore } = command.data;
    if (!ownsPurge(SERVICE_NAME, category)) return;
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
    await confirmPurge(m, PARTY, command, counts);
  }

}
