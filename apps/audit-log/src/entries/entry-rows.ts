import type { AuditEntryView } from './entries.dto';

/** The columns every read of entries selects (data joined, absent once redacted). */
export const ENTRY_COLUMNS = `e.sequence, e.event_id, e.type, e.source, e.subject_ref, e.session_id, e.occurred_at, e.recorded_at,
  e.data_hash, e.prev_hash, e.hash, e.trace_id, e.redacted_at, d.salt, d.data`;
export const ENTRY_FROM = 'audit_entry e LEFT JOIN audit_entry_data d ON d.sequence = e.sequence';

export interface EntryRow {
  sequence: string;
  event_id: string;
  type: string;
  source: string;
  subject_ref: string | null;
  session_id: string | null;
  occurred_at: Date;
  recorded_at: Date;
  data_hash: string;
  prev_hash: string;
  hash: string;
  trace_id: string | null;
  redacted_at: Date | null;
  salt: string | null;
  data: string | null;
}

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
