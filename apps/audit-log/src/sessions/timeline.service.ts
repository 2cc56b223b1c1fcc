import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AuditEntryView } from '../entries/entries.dto';
import { sessionEntries } from '../entries/entry.repository';
import { toView } from '../entries/entry-rows';

/** Longest timeline returned; a verification has a handful to a few hundred steps. */
export const TIMELINE_LIMIT = 5000;

export interface Timeline {
  sessionId: string;
  subjectRef: string | null;
  steps: AuditEntryView[];
}

@Injectable()
export class TimelineService {
  constructor(private readonly ds: DataSource) {}

  async of(sessionId: string): Promise<Timeline> {
    const rows = await sessionEntries(this.ds, sessionId, TIMELINE_LIMIT);
    if (rows.length === 0) throw new NotFoundException({ statusCode: 404, code: 'SESSION_UNKNOWN', message: 'no audit entries for this session' });
    const steps = rows.map(toView);
    return { sessionId, subjectRef: steps.find((s) => s.subjectRef)?.subjectRef ?? null, steps };
  }
}
