import type { EntryHeader } from './chain-hash';

/** Entry types the audit log writes itself (besides the suite's own event types). */
export const AuditEntryTypes = {
  DeadLetter: 'audit.dead_letter',
  CaseNote: 'audit.case_note',
  DataRedacted: 'audit.data_redacted',
} as const;

/** What a caller asks to append; the chain assigns sequence, recorded time and hashes. */
export interface NewEntry {
  eventId: string;
  type: string;
  source: string;
  subjectRef?: string | null;
  sessionId?: string | null;
  occurredAt: string | Date;
  /** The trace id of the event's `traceparent`, if it had one. */
  traceId?: string | null;
  /** Already minimised: no raw payloads, no identity data. */
  data: Record<string, unknown>;
}

/** An entry as the chain holds it. */
export interface ChainedEntry extends EntryHeader {
  dataHash: string;
  prevHash: string;
  hash: string;
  /** Set when the entry was chained redacted: the event id of the erasure command chained before it that reaches it. */
  redactedBy?: string;
}
