import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, DAY_MS } from '../clock/clock';
import { activeHoldsOf } from '../legal-holds/legal-hold.repository';
import { clocksOfSubject } from './tracking.repository';

const iso = (d: Date | null): string | null => d?.toISOString() ?? null;

/** What retention knows about one subject: its data, when each piece is due, purges, holds in force. */
@Injectable()
export class SubjectRetentionQuery {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
  ) {}

  async view(subjectRef: string) {
    const now = this.clock.now();
    const rows = await clocksOfSubject(this.ds, subjectRef);
    const holds = await activeHoldsOf(this.ds, subjectRef, now);
    return {
      subjectRef,
      legalHolds: holds.map((h) => ({ id: h.id, reason: h.reason, until: iso(h.until), placedAt: iso(h.placed_at) })),
      data: rows.map((r) => ({
        sessionId: r.session_id,
        category: r.category,
        clockStartedAt: iso(r.clock_started_at),
        retentionDays: r.retention_days,
        dueAt: r.clock_started_at && r.retention_days !== null ? new Date(r.clock_started_at.getTime() + r.retention_days * DAY_MS).toISOString() : null,
        purge: r.purge_id ? { purgeId: r.purge_id, emittedAt: iso(r.emitted_at), completedAt: iso(r.completed_at), confirmedBy: r.confirmed_by ?? [] } : null,
      })),
    };
  }
}
