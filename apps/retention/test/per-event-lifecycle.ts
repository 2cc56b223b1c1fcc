import type { EntityManager } from 'typeorm';
import type { DataCategory, KycStatus } from '@compliance/contracts';
import { subjectUnit, TERMINAL_STATUSES, type LifecycleFact } from '../src/lifecycle/retention-tracking';

const DECISION_CLOCKED: readonly DataCategory[] = ['verification_data', 'raw_webhooks', 'audit_detail'];

/**
 * The statements the service ran per event before it handled events by the batch (six to seven
 * per event), kept as the reference the batch path must agree with row for row.
 */
export async function applyOneByOne(m: EntityManager, fact: LifecycleFact): Promise<void> {
  if (fact.kind === 'screening') return recordScreening(m, fact, fact.at);
  const at = fact.at;
  const [prev] = await m.query<Array<{ status: KycStatus; status_at: Date; decided_at: Date | null }>>(
    'SELECT status, status_at, decided_at FROM tracked_sessions WHERE session_id = $1 FOR UPDATE',
    [fact.sessionId],
  );
  const terminal = TERMINAL_STATUSES.has(fact.status);
  const diff = prev ? at.getTime() - prev.status_at.getTime() : 1;
  if (prev && !(diff > 0 || (diff === 0 && terminal && !TERMINAL_STATUSES.has(prev.status)))) return learnSubject(m, fact.sessionId, fact.subjectRef);
  const decidedAt = !terminal ? null : prev?.status === fact.status && prev.decided_at ? prev.decided_at : at;
  await m.query(
    `INSERT INTO tracked_sessions (session_id, subject_ref, status, status_at, decided_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (session_id) DO UPDATE SET subject_ref = COALESCE(EXCLUDED.subject_ref, tracked_sessions.subject_ref),
       status = EXCLUDED.status, status_at = EXCLUDED.status_at, decided_at = EXCLUDED.decided_at`,
    [fact.sessionId, fact.subjectRef ?? null, fact.status, at, decidedAt],
  );
  for (const category of DECISION_CLOCKED) {
    await m.query(
      `INSERT INTO retention_clocks (unit, category, subject_ref, session_id, clock_started_at) VALUES ($1, $2, $3, $1, $4)
       ON CONFLICT (unit, category) DO UPDATE SET clock_started_at = EXCLUDED.clock_started_at,
         subject_ref = COALESCE(EXCLUDED.subject_ref, retention_clocks.subject_ref)`,
      [fact.sessionId, category, fact.subjectRef ?? null, decidedAt],
    );
  }
  await learnSubject(m, fact.sessionId, fact.subjectRef);
}

async function recordScreening(m: EntityManager, s: { subjectRef: string; sessionId?: string }, at: Date | null): Promise<void> {
  const unit = s.sessionId ?? subjectUnit(s.subjectRef);
  await m.query(
    `INSERT INTO retention_clocks (unit, category, subject_ref, session_id, clock_started_at) VALUES ($1, 'screening_data', $2, $3, $4)
     ON CONFLICT (unit, category) DO UPDATE SET clock_started_at = GREATEST(retention_clocks.clock_started_at, EXCLUDED.clock_started_at),
       subject_ref = EXCLUDED.subject_ref`,
    [unit, s.subjectRef, s.sessionId ?? null, at],
  );
  await m.query(
    `UPDATE retention_clocks SET clock_started_at = (SELECT max(clock_started_at) FROM retention_clocks WHERE subject_ref = $1 AND category = 'screening_data')
     WHERE unit = $2 AND category = 'screening_data' AND clock_started_at IS NOT NULL`,
    [s.subjectRef, subjectUnit(s.subjectRef)],
  );
  if (s.sessionId) await learnSubject(m, s.sessionId, s.subjectRef);
}

async function learnSubject(m: EntityManager, sessionId: string, subjectRef?: string): Promise<void> {
  if (!subjectRef) return;
  await m.query('UPDATE tracked_sessions SET subject_ref = $2 WHERE session_id = $1 AND subject_ref IS NULL', [sessionId, subjectRef]);
  await m.query('UPDATE retention_clocks SET subject_ref = $2 WHERE session_id = $1 AND subject_ref IS NULL', [sessionId, subjectRef]);
}
