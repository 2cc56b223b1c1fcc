import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { EventSources, EventTypes, type DomainEvent, type ErasureRequestedData, type PurgeDueData } from '@compliance/contracts';
import { affectedRows, confirmErasure, confirmPurge, deleteSentOutbox } from '@compliance/messaging';
import { SERVICE_NAME } from '../service-name';
import { ErasureTombstones } from './erasure-tombstones';
import { UNDECIDED_STATUSES } from '../alerts/alert.repository';

type Counts = Record<string, number>;

/** SQL: the hits array without the names that matched (list, entity id, scores stay for the regulator). */
const STRIP_HIT_NAMES = (column: string) =>
  `(SELECT coalesce(jsonb_agg(h - 'matchedName' - 'entityName'), '[]'::jsonb) FROM jsonb_array_elements(${column}) h)`;

const affected = affectedRows;
const PARTY = { service: SERVICE_NAME, source: EventSources.AmlTrigger };

/**
 * aml-trigger's part of the erasure protocol and the owner of `screening_data` purges. Erasure
 * removes the person (monitored identity, screening inputs, analysts' notes) but keeps what a
 * regulator asks about a screening: when, against which list versions, outcome, scores, entity ids.
 */
@Injectable()
export class RetentionService {
  constructor(private readonly tombstones: ErasureTombstones) {}

  async handle(event: DomainEvent, m: EntityManager): Promise<void> {
    if (event.type === EventTypes.RetentionErasureRequested) await this.erase(m, event.data as ErasureRequestedData, event);
    else if (event.type === EventTypes.RetentionPurgeDue) await this.purge(m, event.data as PurgeDueData, event);
  }

  private async erase(m: EntityManager, data: ErasureRequestedData, cause: DomainEvent): Promise<void> {
    const sessions = await this.sessionsOf(m, data.subjectRef, data.sessionIds ?? []);
    const counts: Counts = {
      monitored_subjects: await affected(m, 'DELETE FROM monitored_subjects WHERE subject_ref = $1', [data.subjectRef]),
      screenings_redacted: await affected(
        m,
        `UPDATE screenings SET input_sealed = NULL, dedupe_key = NULL, erased_at = now()
         WHERE (subject_ref = $1 OR session_id = ANY($2::text[])) AND erased_at IS NULL`,
        [data.subjectRef, sessions],
      ),
      // A hit's matched name is the listed name the subject's own name resembled: it identifies the subject too.
      screening_hit_names: await affected(
        m,
        `UPDATE screenings SET hits = ${STRIP_HIT_NAMES('hits')}
         WHERE (subject_ref = $1 OR session_id = ANY($2::text[])) AND jsonb_array_length(hits) > 0`,
        [data.subjectRef, sessions],
      ),
      subject_hits: await affected(m, 'DELETE FROM subject_hits WHERE subject_ref = $1', [data.subjectRef]),
      alert_notes: await affected(
        m,
        'UPDATE alerts SET note = NULL, proposal_note = NULL WHERE subject_ref = $1 AND (note IS NOT NULL OR proposal_note IS NOT NULL)',
        [data.subjectRef],
      ),
      alert_hit_names: await affected(
        m,
        // A summary sealed under the person's data key (its key is destroyed by now) is replaced whole.
        `UPDATE alerts SET summary = CASE WHEN summary LIKE 'sealed.v1.%' THEN '[erased]' ELSE regexp_replace(summary, '"[^"]*"', '"[erased]"', 'g') END,
                           details = CASE WHEN details ? 'hits' THEN jsonb_set(details, '{hits}', ${STRIP_HIT_NAMES("details->'hits'")}) ELSE details END
         WHERE subject_ref = $1 OR session_id = ANY($2::text[])`,
        [data.subjectRef, sessions],
      ),
      outbox: await deleteSentOutbox(m, [data.subjectRef, ...sessions]),
      // Digests only: a later event about this subject or these sessions is recognised and starts nothing.
      tombstones: await this.tombstones.record(m, data.requestId, data.subjectRef, sessions),
    };
    await confirmErasure(m, PARTY, cause as DomainEvent<ErasureRequestedData>, counts);
  }

  private async purge(m: EntityManager, data: PurgeDueData, cause: DomainEvent): Promise<void> {
    if (data.category !== 'screening_data') return;
    const counts = data.subjectRef || data.sessionId ? await this.purgeOne(m, data) : await this.purgeBefore(m, data.clockStartedBefore);
    await confirmPurge(m, PARTY, cause as DomainEvent<PurgeDueData>, counts);
  }

  /** One subject's or one session's screening data; open alerts stay until a human closes them. */
  private async purgeOne(m: EntityManager, data: PurgeDueData): Promise<Counts> {
    const subject = data.subjectRef ?? null;
    const sessions = data.sessionId ? [data.sessionId] : await this.sessionsOf(m, subject as string, []);
    return {
      screenings: await affected(m, 'DELETE FROM screenings WHERE subject_ref = $1 OR session_id = ANY($2::text[])', [subject, sessions]),
      monitored_subjects: await affected(m, 'DELETE FROM monitored_subjects WHERE subject_ref = $1 OR latest_session_id = ANY($2::text[])', [subject, sessions]),
      subject_hits: await affected(m, 'DELETE FROM subject_hits WHERE subject_ref = $1', [subject]),
      alerts: await affected(m, `DELETE FROM alerts WHERE (subject_ref = $1 OR session_id = ANY($2::text[])) AND status <> ALL($3::text[])`, [subject, sessions, UNDECIDED_STATUSES]),
      outbox: await deleteSentOutbox(m, [...(subject ? [subject] : []), ...sessions]),
    };
  }

  /** Everything whose clock (request time; a subject's last verification) started before the cut-off. */
  private async purgeBefore(m: EntityManager, before: string): Promise<Counts> {
    return {
      screenings: await affected(m, `DELETE FROM screenings WHERE requested_at < $1 AND status IN ('completed', 'failed')`, [before]),
      monitored_subjects: await affected(m, 'DELETE FROM monitored_subjects WHERE last_verified_at < $1', [before]),
      subject_hits: await affected(
        m,
        'DELETE FROM subject_hits h WHERE updated_at < $1 AND NOT EXISTS (SELECT 1 FROM monitored_subjects s WHERE s.subject_ref = h.subject_ref)',
        [before],
      ),
      alerts: await affected(m, `DELETE FROM alerts WHERE raised_at < $1 AND status <> ALL($2::text[])`, [before, UNDECIDED_STATUSES]),
    };
  }

  /** The subject's sessions we know of, plus those the request names. */
  private async sessionsOf(m: EntityManager, subjectRef: string, named: string[]): Promise<string[]> {
    const rows: Array<{ session_id: string }> = await m.query(
      `SELECT session_id FROM screenings WHERE subject_ref = $1 AND session_id IS NOT NULL
       UNION SELECT latest_session_id FROM monitored_subjects WHERE subject_ref = $1 AND latest_session_id IS NOT NULL
       UNION SELECT session_id FROM alerts WHERE subject_ref = $1 AND session_id IS NOT NULL`,
      [subjectRef],
    );
    return [...new Set([...named, ...rows.map((r) => r.session_id)])];
  }
}
