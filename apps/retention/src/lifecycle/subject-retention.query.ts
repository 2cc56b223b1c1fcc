import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, DAY_MS } from '../clock/clock';
import { activeHoldsOf } from '../legal-holds/active-holds';

interface ClockRow {
  category: string;
  session_id: string | null;
  clock_started_at: Date | null;
  retention_days: number | null;
  purge_id: string | null;
  emitted_at: Date | null;
  completed_at: Date | null;
  confirmed_by: string[] | null;
}

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
    const rows: ClockRow[] = await this.ds.query(
      `SELECT c.category, c.session_id, c.clock_started_at, p.retention_days, pu.purge_id, pu.emitted_at, pu.completed_at,
         (SELECT array_agg(pc.service ORDER BY pc.service) FROM purge_confirmations pc WHERE pc.purge_id = pu.purge_id) AS confirmed_by
       FROM retention_clocks c JOIN retention_policies p ON p.category = c.category
       LEFT JOIN LATERAL (SELECT * FROM purges x WHERE x.unit = c.unit AND x.category = c.category ORDER BY x.clock_started_at DESC LIMIT 1) pu ON true
       WHERE c.subject_ref = $1 ORDER BY c.session_id NULLS LAST, c.category`,
      [subjectRef],
    );
    const holds = await activeHoldsOf(this.ds.manager, subjectRef, now);
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
