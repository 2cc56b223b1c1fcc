import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AuditEntryView } from '../entries/entries.dto';
import { ENTRY_COLUMNS, ENTRY_FROM, toView } from '../entries/entry-rows';

/** Longest timeline returned; a verification has a handful to a few hundred steps. */
export const TIMELINE_LIMIT = 5000;

// Steps that happened at the same instant (a webhook and the status it carried share the
// provider's event time) are shown in the order the flow runs them: gateway to retention.
const STAGE = `CASE
  WHEN e.type LIKE 'webhook.%' THEN 1
  WHEN e.type LIKE 'kyc.%' THEN 2
  WHEN e.type LIKE 'aml.%' THEN 3
  WHEN e.type LIKE 'compliance.%' THEN 4
  WHEN e.type LIKE 'retention.%' THEN 5
  ELSE 6 END`;

export interface Timeline {
  sessionId: string;
  subjectRef: string | null;
  steps: AuditEntryView[];
}

@Injectable()
export class TimelineService {
  constructor(private readonly ds: DataSource) {}

  async of(sessionId: string): Promise<Timeline> {
    const rows = await this.ds.query(
      `SELECT ${ENTRY_COLUMNS} FROM ${ENTRY_FROM} WHERE e.session_id = $1 ORDER BY e.occurred_at, ${STAGE}, e.sequence LIMIT $2`,
      [sessionId, TIMELINE_LIMIT],
    );
    if (rows.length === 0) throw new NotFoundException({ statusCode: 404, code: 'SESSION_UNKNOWN', message: 'no audit entries for this session' });
    const steps = rows.map(toView);
    return { sessionId, subjectRef: steps.find((s: AuditEntryView) => s.subjectRef)?.subjectRef ?? null, steps };
  }
}
