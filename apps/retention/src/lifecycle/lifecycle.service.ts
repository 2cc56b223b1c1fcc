import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DataCategory, KycStatus, KycVerificationData } from '@compliance/contracts';

/** Statuses after which the session's data is no longer in use: its retention clock starts. */
export const TERMINAL_STATUSES: ReadonlySet<KycStatus> = new Set<KycStatus>(['approved', 'declined', 'expired', 'abandoned', 'kyc_expired']);

/** Categories whose clock is the session's terminal decision time (screening data has its own). */
const DECISION_CLOCKED: readonly DataCategory[] = ['verification_data', 'raw_webhooks', 'audit_detail'];

/** Data not tied to a session (an ad hoc screening) is followed per subject. */
export const subjectUnit = (subjectRef: string): string => `subject:${subjectRef}`;

interface SessionRow {
  status: KycStatus;
  status_at: Date;
  decided_at: Date | null;
}

/**
 * Learns, from kyc and aml events, which data exists for each subject and session and when its
 * retention clock started. Out-of-order events never move a session backwards (event time wins).
 */
@Injectable()
export class LifecycleService {
  async recordVerification(m: EntityManager, d: KycVerificationData): Promise<void> {
    const at = new Date(d.occurredAt);
    const [prev] = await m.query<SessionRow[]>('SELECT status, status_at, decided_at FROM tracked_sessions WHERE session_id = $1 FOR UPDATE', [d.sessionId]);
    const terminal = TERMINAL_STATUSES.has(d.status);
    if (prev && !supersedes(at, terminal, prev)) {
      await this.learnSubject(m, d.sessionId, d.subjectRef);
      return;
    }
    // A data update on the same terminal status keeps the original decision time.
    const decidedAt = !terminal ? null : prev?.status === d.status && prev.decided_at ? prev.decided_at : at;
    await m.query(
      `INSERT INTO tracked_sessions (session_id, subject_ref, status, status_at, decided_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (session_id) DO UPDATE SET subject_ref = COALESCE(EXCLUDED.subject_ref, tracked_sessions.subject_ref),
         status = EXCLUDED.status, status_at = EXCLUDED.status_at, decided_at = EXCLUDED.decided_at`,
      [d.sessionId, d.subjectRef ?? null, d.status, at, decidedAt],
    );
    for (const category of DECISION_CLOCKED) {
      await m.query(
        `INSERT INTO retention_clocks (unit, category, subject_ref, session_id, clock_started_at) VALUES ($1, $2, $3, $1, $4)
         ON CONFLICT (unit, category) DO UPDATE SET clock_started_at = EXCLUDED.clock_started_at,
           subject_ref = COALESCE(EXCLUDED.subject_ref, retention_clocks.subject_ref)`,
        [d.sessionId, category, d.subjectRef ?? null, decidedAt],
      );
    }
    await this.learnSubject(m, d.sessionId, d.subjectRef);
  }

  /**
   * A screening's clock starts when it completes (or fails); a re-screen restarts it. `at` is null
   * for a requested screening: its data exists but is still in use.
   */
  async recordScreening(m: EntityManager, s: { subjectRef: string; sessionId?: string }, at: Date | null): Promise<void> {
    const unit = s.sessionId ?? subjectUnit(s.subjectRef);
    await m.query(
      `INSERT INTO retention_clocks (unit, category, subject_ref, session_id, clock_started_at) VALUES ($1, 'screening_data', $2, $3, $4)
       ON CONFLICT (unit, category) DO UPDATE SET clock_started_at = GREATEST(retention_clocks.clock_started_at, EXCLUDED.clock_started_at),
         subject_ref = EXCLUDED.subject_ref`,
      [unit, s.subjectRef, s.sessionId ?? null, at],
    );
    // A purge by subject removes all of the subject's screenings, so it waits for the newest one.
    await m.query(
      `UPDATE retention_clocks SET clock_started_at = (SELECT max(clock_started_at) FROM retention_clocks WHERE subject_ref = $1 AND category = 'screening_data')
       WHERE unit = $2 AND category = 'screening_data' AND clock_started_at IS NOT NULL`,
      [s.subjectRef, subjectUnit(s.subjectRef)],
    );
    if (s.sessionId) await this.learnSubject(m, s.sessionId, s.subjectRef);
  }

  /** Session ids known for a subject, for erasure commands and provider deletion. */
  async sessionsOf(m: EntityManager, subjectRef: string): Promise<string[]> {
    const rows: Array<{ session_id: string }> = await m.query(
      `SELECT session_id FROM retention_clocks WHERE subject_ref = $1 AND session_id IS NOT NULL
       UNION SELECT session_id FROM tracked_sessions WHERE subject_ref = $1 ORDER BY session_id`,
      [subjectRef],
    );
    return rows.map((r) => r.session_id);
  }

  /** After an erasure, nothing is left to purge for those sessions: retention keeps no trace of them but the request. */
  async forgetErased(m: EntityManager, subjectRef: string, sessionIds: string[]): Promise<void> {
    await m.query('DELETE FROM retention_clocks WHERE session_id = ANY($1) OR unit = $2', [sessionIds, subjectUnit(subjectRef)]);
    await m.query('DELETE FROM tracked_sessions WHERE session_id = ANY($1)', [sessionIds]);
  }

  /** An event that names the subject of a session learned earlier without one. */
  private async learnSubject(m: EntityManager, sessionId: string, subjectRef?: string): Promise<void> {
    if (!subjectRef) return;
    await m.query('UPDATE tracked_sessions SET subject_ref = $2 WHERE session_id = $1 AND subject_ref IS NULL', [sessionId, subjectRef]);
    await m.query('UPDATE retention_clocks SET subject_ref = $2 WHERE session_id = $1 AND subject_ref IS NULL', [sessionId, subjectRef]);
  }
}

function supersedes(at: Date, terminal: boolean, prev: SessionRow): boolean {
  const diff = at.getTime() - prev.status_at.getTime();
  return diff > 0 || (diff === 0 && terminal && !TERMINAL_STATUSES.has(prev.status));
}
