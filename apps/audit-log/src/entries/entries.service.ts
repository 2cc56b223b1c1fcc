import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AuditEntryView, EntryFilterDto } from './entries.dto';
import { entriesAfter, type EntryRow } from './entry.repository';
import { toView } from './entry-rows';

export const MAX_PAGE = 1000;
/** Rows per round trip when streaming: memory stays bounded by one chunk whatever the export size. */
export const EXPORT_CHUNK = 2000;

export const encodeCursor = (sequence: number): string => Buffer.from(`s:${sequence}`).toString('base64url');

export function decodeCursor(cursor?: string): number {
  if (!cursor) return 0;
  const m = /^s:(\d{1,18})$/.exec(Buffer.from(cursor, 'base64url').toString());
  return m ? Number(m[1]) : 0;
}

/** Reads of the trail, in chain order (keyset pagination on the sequence). */
@Injectable()
export class EntriesService {
  constructor(private readonly ds: DataSource) {}

  async page(filter: EntryFilterDto, cursor: string | undefined, limit = 100): Promise<{ entries: AuditEntryView[]; nextCursor: string | null }> {
    const rows = await this.chunk(filter, decodeCursor(cursor), Math.min(limit, MAX_PAGE));
    const entries = rows.map(toView);
    const last = entries[entries.length - 1];
    return { entries, nextCursor: entries.length === limit && last ? encodeCursor(last.sequence) : null };
  }

  /** Every matching row, one chunk in memory at a time. */
  async *stream(filter: EntryFilterDto, chunkSize = EXPORT_CHUNK): AsyncGenerator<EntryRow[]> {
    let after = 0;
    for (;;) {
      const rows = await this.chunk(filter, after, chunkSize);
      if (rows.length === 0) return;
      yield rows;
      if (rows.length < chunkSize) return;
      after = Number(rows[rows.length - 1].sequence);
    }
  }

  private chunk(filter: EntryFilterDto, after: number, limit: number): Promise<EntryRow[]> {
    return entriesAfter(this.ds, filter, after, limit);
  }
}
