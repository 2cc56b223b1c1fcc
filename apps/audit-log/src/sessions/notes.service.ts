import { randomUUID } from 'node:crypto';
import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EventSources } from '@compliance/contracts';
import { OutboxRelay } from '@compliance/messaging';
import { AuditEntryTypes, type ChainedEntry } from '../chain/audit-entry';
import { ChainAppender } from '../chain/chain-appender';
import { subjectOfSession } from '../entries/entry.repository';
import { mentionsIn } from './notes.dto';

/** Case notes: appended to the chain like any step, so they can be followed by another note but never changed. */
@Injectable()
export class NotesService {
  constructor(
    private readonly ds: DataSource,
    private readonly appender: ChainAppender,
    private readonly relay: OutboxRelay,
  ) {}

  async add(sessionId: string, author: string, text: string): Promise<ChainedEntry & { data: Record<string, unknown> }> {
    const data = { author, text, mentions: mentionsIn(text) };
    const entry = await this.ds.transaction(async (m) => {
      const known = await subjectOfSession(m, sessionId);
      if (!known) throw new NotFoundException({ statusCode: 404, code: 'SESSION_UNKNOWN', message: 'no audit entries for this session' });
      this.appender.append(m, {
        eventId: `note-${randomUUID()}`,
        type: AuditEntryTypes.CaseNote,
        source: EventSources.AuditLog,
        subjectRef: known.subjectRef,
        sessionId,
        occurredAt: new Date(),
        data,
      });
      const [chained] = await this.appender.flush(m);
      return chained;
    });
    // A note may have completed a checkpoint; publish it now rather than at the next poll.
    this.relay.kick();
    return { ...entry, data };
  }
}
