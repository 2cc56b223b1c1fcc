import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { DATA_HOLDING_SERVICES, EventSources, EventTypes, newEvent, Topics, type ErasureFinishedData, type ErasureRequestedData } from '@compliance/contracts';
import { addToOutbox } from '@compliance/messaging';
import { Clock } from '../clock/clock';
import { activeHoldCondition, activeHoldFor } from '../legal-holds/active-holds';
import { LifecycleService } from '../lifecycle/lifecycle.service';
import { RetentionConfig } from '../retention.config';
import { retentionMetrics } from '../retention.metrics';
import { isUuid, lockSubject } from '../sql';
import { OPEN_STATUSES, type ErasureReceipt, type ErasureRequestRow } from './erasure.dto';

/**
 * Erasure requests (GDPR art. 17): at most one open per subject; blocked while a legal hold is in
 * force and carried out automatically once none is; otherwise sent to every data-holding service.
 */
@Injectable()
export class ErasureService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly config: RetentionConfig,
    private readonly lifecycle: LifecycleService,
  ) {}

  async create(subjectRef: string, reason: string, requestedBy: string): Promise<ErasureReceipt> {
    const receipt = await this.ds.transaction(async (m) => {
      await lockSubject(m, subjectRef);
      const [open] = await m.query<ErasureRequestRow[]>('SELECT * FROM erasure_requests WHERE subject_ref = $1 AND status = ANY($2)', [subjectRef, OPEN_STATUSES]);
      if (open) return { id: open.id, status: open.status, repeated: true, legalHoldId: open.legal_hold_id ?? undefined };
      const now = this.clock.now();
      const id = randomUUID();
      const hold = await activeHoldFor(m, subjectRef, now);
      await m.query(
        `INSERT INTO erasure_requests (id, subject_ref, reason, status, legal_hold_id, expected_services, requested_by, requested_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [id, subjectRef, reason, hold ? 'blocked_by_legal_hold' : 'in_progress', hold?.id ?? null, [...DATA_HOLDING_SERVICES], requestedBy, now],
      );
      if (hold) await this.announceEnd(m, { id, subjectRef, status: 'blocked_by_legal_hold', legalHoldId: hold.id }, now);
      else await this.dispatch(m, id, now);
      return { id, status: hold ? 'blocked_by_legal_hold' : 'in_progress', repeated: false, legalHoldId: hold?.id } as ErasureReceipt;
    });
    retentionMetrics.erasureRequests.inc({ outcome: receipt.repeated ? 'repeated' : receipt.status === 'in_progress' ? 'dispatched' : 'blocked' });
    return receipt;
  }

  /**
   * Blocked requests whose hold has ended (lifted, or `until` passed): pointed at the next hold in
   * force, or carried out now. Returns the ids carried out.
   */
  async releaseBlocked(now: Date, subjectRef?: string): Promise<string[]> {
    const candidates: Array<{ id: string; subject_ref: string }> = await this.ds.query(
      `SELECT r.id, r.subject_ref FROM erasure_requests r JOIN legal_holds h ON h.id = r.legal_hold_id
       WHERE r.status = 'blocked_by_legal_hold' AND NOT (${activeHoldCondition('$1')}) AND ($2::text IS NULL OR r.subject_ref = $2)
       ORDER BY r.requested_at LIMIT 100`,
      [now, subjectRef ?? null],
    );
    const released: string[] = [];
    for (const c of candidates) if (await this.releaseOne(c.id, c.subject_ref, now)) released.push(c.id);
    return released;
  }

  /** Only a request still waiting for a hold can be withdrawn: a dispatched erasure cannot be recalled. */
  async withdraw(id: string): Promise<ErasureReceipt> {
    return this.ds.transaction(async (m) => {
      const [row] = isUuid(id) ? await m.query<ErasureRequestRow[]>('SELECT * FROM erasure_requests WHERE id = $1 FOR UPDATE', [id]) : [];
      if (!row) throw new NotFoundException({ statusCode: 404, code: 'ERASURE_REQUEST_NOT_FOUND', message: `no erasure request ${id}` });
      if (row.status === 'withdrawn') return { id, status: row.status, repeated: true };
      if (row.status !== 'blocked_by_legal_hold') {
        throw new ConflictException({ statusCode: 409, code: 'ERASURE_NOT_WITHDRAWABLE', message: `erasure request ${id} is ${row.status}; only a request blocked by a legal hold can be withdrawn` });
      }
      const now = this.clock.now();
      await m.query(`UPDATE erasure_requests SET status = 'withdrawn', finished_at = $2 WHERE id = $1`, [id, now]);
      await this.announceEnd(m, { id, subjectRef: row.subject_ref, status: 'withdrawn', legalHoldId: row.legal_hold_id ?? undefined }, now);
      return { id, status: 'withdrawn', repeated: false };
    });
  }

  private releaseOne(id: string, subjectRef: string, now: Date): Promise<boolean> {
    return this.ds.transaction(async (m) => {
      await lockSubject(m, subjectRef);
      const [row] = await m.query<ErasureRequestRow[]>(`SELECT * FROM erasure_requests WHERE id = $1 AND status = 'blocked_by_legal_hold' FOR UPDATE`, [id]);
      if (!row) return false;
      const hold = await activeHoldFor(m, subjectRef, now);
      if (hold) {
        await m.query('UPDATE erasure_requests SET legal_hold_id = $2 WHERE id = $1', [id, hold.id]);
        return false;
      }
      await this.dispatch(m, id, now);
      return true;
    });
  }

  /** Sends the command to every data-holding service, with the sessions known for the subject now. */
  private async dispatch(m: EntityManager, id: string, now: Date): Promise<void> {
    const [row] = await m.query<ErasureRequestRow[]>('SELECT * FROM erasure_requests WHERE id = $1', [id]);
    const sessionIds = await this.lifecycle.sessionsOf(m, row.subject_ref);
    await m.query(
      `UPDATE erasure_requests SET status = 'in_progress', session_ids = $2, dispatched_at = $3, provider_deletion = $4 WHERE id = $1`,
      [id, sessionIds, now, this.config.providerDeletionEnabled],
    );
    const data: ErasureRequestedData = {
      requestId: id,
      subjectRef: row.subject_ref,
      reason: row.reason,
      expectedServices: row.expected_services,
      sessionIds,
      requestedAt: row.requested_at.toISOString(),
    };
    const event = newEvent({ type: EventTypes.RetentionErasureRequested, source: EventSources.Retention, subject: row.subject_ref, data, time: now });
    await addToOutbox(m, Topics.RetentionCommands, row.subject_ref, event);
  }

  private async announceEnd(m: EntityManager, r: { id: string; subjectRef: string; status: string; legalHoldId?: string }, now: Date): Promise<void> {
    const data: ErasureFinishedData = { requestId: r.id, subjectRef: r.subjectRef, status: r.status, legalHoldId: r.legalHoldId, services: [], finishedAt: now.toISOString() };
    const event = newEvent({ type: EventTypes.RetentionErasureFinished, source: EventSources.Retention, subject: r.subjectRef, data, time: now });
    await addToOutbox(m, Topics.RetentionEvents, r.subjectRef, event);
  }
}
