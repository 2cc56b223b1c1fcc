import type { AuditEntryView } from './entries.dto';
import type { EntryRow } from './entry.repository';

/** Everything but the data, in display order. */
export function headerOf(row: EntryRow): Omit<AuditEntryView, 'data'> {
  return {
    sequence: Number(row.sequence),
    eventId: row.event_id,
    type: row.type,
    source: row.source,
    subjectRef: row.subject_ref,
    sessionId: row.session_id,
    occurredAt: row.occurred_at.toISOString(),
    recordedAt: row.recorded_at.toISOString(),
    traceId: row.trace_id,
    redacted: row.redacted_at !== null,
    redactedAt: row.redacted_at?.toISOString() ?? null,
    dataHash: row.data_hash,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export function toView(row: EntryRow): AuditEntryView {
  return { ...headerOf(row), data: row.data === null ? null : JSON.parse(row.data) };
}

/**
 * A JSON line without parsing the stored data: it is already canonical JSON. The salt is exported
 * so that a recipient can recompute data_hash offline (docs/audit-log.md).
 */
export function toJsonLine(row: EntryRow): string {
  const head = JSON.stringify({ ...headerOf(row), salt: row.salt });
  return `${head.slice(0, -1)},"data":${row.data ?? 'null'}}\n`;
}

export const CSV_COLUMNS = [
  'sequence', 'eventId', 'type', 'source', 'subjectRef', 'sessionId', 'occurredAt', 'recordedAt',
  'redacted', 'redactedAt', 'dataHash', 'prevHash', 'hash', 'salt', 'data', 'traceId',
] as const;

const csvCell = (v: unknown): string => {
  let s = v === null || v === undefined ? '' : String(v);
  // A cell a spreadsheet would run as a formula (a subject reference is customer-controlled) is quoted as text.
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function toCsvLine(row: EntryRow): string {
  const view = { ...headerOf(row), salt: row.salt, data: row.data };
  return `${CSV_COLUMNS.map((c) => csvCell(view[c])).join(',')}\r\n`;
}
