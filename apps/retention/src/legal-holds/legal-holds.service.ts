import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '../clock/clock';
import { dispatchedRequestOf } from '../erasure/erasure-request.repository';
import { isUuid, lockSubject } from '../sql';
import { findHold, insertHold, liftHold, lockHold, type LegalHoldRow } from './legal-hold.repository';
import type { LegalHoldView } from './legal-holds.dto';

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
      const row = await insertHold(m, { id: randomUUID(), subjectRef: input.subjectRef, reason: input.reason, until, placedBy, placedAt: now });
      const dispatched = await dispatchedRequestOf(m, input.subjectRef);
      return { hold: this.view(row, now), erasureAlreadyDispatched: dispatched };
    });
  }

  async get(id: string): Promise<LegalHoldView> {
    const row = isUuid(id) ? await findHold(this.ds, id) : undefined;
    if (!row) throw this.notFound(id);
    return this.view(row, this.clock.now());
  }

  /** Lifting is idempotent: lifting a lifted hold returns it unchanged. */
  async lift(id: string, liftedBy: string): Promise<LegalHoldView> {
    if (!isUuid(id)) throw this.notFound(id);
    return this.ds.transaction(async (m: EntityManager) => {
      const row = await lockHold(m, id);
      if (!row) throw this.notFound(id);
      if (row.lifted_at) return this.view(row, this.clock.now());
      const now = this.clock.now();
      const lifted = await liftHold(m, id, now, liftedBy);
      return this.view(lifted, now);
    });
  }

  private view(r: LegalHoldRow, now: Date): LegalHoldView {
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
