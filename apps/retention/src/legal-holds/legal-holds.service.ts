import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '../clock/clock';
import { changedRows, isUuid, lockSubject } from '../sql';
import type { LegalHoldView } from './legal-holds.dto';

interface HoldRow {
  id: string;
  subject_ref: string;
  reason: string;
  until: Date | null;
  placed_by: string;
  placed_at: Date;
  lifted_at: Date | null;
  lifted_by: string | null;
}

/** Legal holds: while one is in force, the subject's data is neither purged nor erased. */
@Injectable()
export class LegalHoldsService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
  ) {}

  async place(input: { subjectRef: string; reason: string; until?: string }, placedBy: string): Promise<{ hold: LegalHoldView; erasureAlreadyDispatched?: string }> {
    const now = this.clock.now();
    const until = input.until ? new Date(input.until) : null;
    if (until && until <= now) throw new BadRequestException({ statusCode: 400, code: 'HOLD_UNTIL_PAST', message: 'until must be in the future' });
    return this.ds.transaction(async (m) => {
      // Same lock as erasure requests: a hold and a request for one subject never interleave.
      await lockSubject(m, input.subjectRef);
      const [row] = await m.query<HoldRow[]>(
        'INSERT INTO legal_holds (id, subject_ref, reason, until, placed_by, placed_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *',
        [randomUUID(), input.subjectRef, input.reason, until, placedBy, now],
      );
      const [dispatched] = await m.query(`SELECT id FROM erasure_requests WHERE subject_ref = $1 AND status = 'in_progress'`, [input.subjectRef]);
      return { hold: this.view(row, now), erasureAlreadyDispatched: dispatched?.id };
    });
  }

  async get(id: string): Promise<LegalHoldView> {
    const row = isUuid(id) ? (await this.ds.query('SELECT * FROM legal_holds WHERE id = $1', [id]))[0] : undefined;
    if (!row) throw this.notFound(id);
    return this.view(row, this.clock.now());
  }

  /** Lifting is idempotent: lifting a lifted hold returns it unchanged. */
  async lift(id: string, liftedBy: string): Promise<LegalHoldView> {
    if (!isUuid(id)) throw this.notFound(id);
    return this.ds.transaction(async (m: EntityManager) => {
      const [row] = await m.query<HoldRow[]>('SELECT * FROM legal_holds WHERE id = $1 FOR UPDATE', [id]);
      if (!row) throw this.notFound(id);
      if (row.lifted_at) return this.view(row, this.clock.now());
      const now = this.clock.now();
      const [lifted] = await changedRows<HoldRow>(m, 'UPDATE legal_holds SET lifted_at = $2, lifted_by = $3 WHERE id = $1 RETURNING *', [id, now, liftedBy]);
      return this.view(lifted, now);
    });
  }

  private view(r: HoldRow, now: Date): LegalHoldView {
    return {
      id: r.id,
      subjectRef: r.subject_ref,
      reason: r.reason,
      until: r.until?.toISOString() ?? null,
      placedBy: r.placed_by,
      placedAt: r.placed_at.toISOString(),
      liftedAt: r.lifted_at?.toISOString() ?? null,
      liftedBy: r.lifted_by,
      active: !r.lifted_at && (!r.until || r.until > now),
    };
  }

  private notFound(id: string): NotFoundException {
    return new NotFoundException({ statusCode: 404, code: 'LEGAL_HOLD_NOT_FOUND', message: `no legal hold ${id}` });
  }
}
