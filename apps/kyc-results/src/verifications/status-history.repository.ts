import type { EntityManager } from 'typeorm';
import type { KycStatus } from '@compliance/contracts';
import { affectedRows } from '@compliance/messaging';
import { preparedStatement, runPrepared } from '@compliance/persistence';
import { rowSet, type Queryable, type SqlColumn } from './sql-rows';
import type { HistoryOutcome } from './verification-state';

/** Every report received for a session, stale ones included (marked), in the order they arrived. */
export interface StatusHistoryRow {
  /** bigserial: the arrival order. */
  id: string;
  session_id: string;
  /** The `webhook.received` event id (deterministic per payload content). */
  event_id: string;
  delivery_id: string;
  fingerprint: string;
  webhook_type: string;
  payload_version: string;
  status: KycStatus | null;
  provider_status: string | null;
  previous_status: KycStatus | null;
  outcome: HistoryOutcome;
  stale: boolean;
  decision_applied: boolean;
  occurred_at: Date;
  received_at: Date;
  recorded_at: Date;
}

export interface StatusHistoryEntry {
  id: string;
  sessionId: string;
  eventId: string;
  deliveryId: string;
  fingerprint: string;
  webhookType: string;
  payloadVersion: string;
  status: KycStatus | null;
  providerStatus: string | null;
  previousStatus: KycStatus | null;
  outcome: HistoryOutcome;
  stale: boolean;
  decisionApplied: boolean;
  occurredAt: Date;
  receivedAt: Date;
  recordedAt: Date;
}

/** An entry as recording writes it (`id` and `recorded_at` are the database's). */
export type NewHistoryEntry = Omit<StatusHistoryEntry, 'id' | 'recordedAt'>;

const HISTORY_COLUMNS: ReadonlyArray<SqlColumn<NewHistoryEntry>> = [
  ['sessionId', 'session_id', 'text'],
  ['eventId', 'event_id', 'text'],
  ['deliveryId', 'delivery_id', 'text'],
  ['fingerprint', 'fingerprint', 'text'],
  ['webhookType', 'webhook_type', 'text'],
  ['payloadVersion', 'payload_version', 'text'],
  ['status', 'status', 'text'],
  ['providerStatus', 'provider_status', 'text'],
  ['previousStatus', 'previous_status', 'text'],
  ['outcome', 'outcome', 'text'],
  ['stale', 'stale', 'boolean'],
  ['decisionApplied', 'decision_applied', 'boolean'],
  ['occurredAt', 'occurred_at', 'timestamptz'],
  ['receivedAt', 'received_at', 'timestamptz'],
];

export const historyEntryOf = (row: StatusHistoryRow): StatusHistoryEntry => ({
  id: row.id,
  sessionId: row.session_id,
  eventId: row.event_id,
  deliveryId: row.delivery_id,
  fingerprint: row.fingerprint,
  webhookType: row.webhook_type,
  payloadVersion: row.payload_version,
  status: row.status,
  providerStatus: row.provider_status,
  previousStatus: row.previous_status,
  outcome: row.outcome,
  stale: row.stale,
  decisionApplied: row.decision_applied,
  occurredAt: row.occurred_at,
  receivedAt: row.received_at,
  recordedAt: row.recorded_at,
});

/** Appends history entries in list order (their ids are the arrival order), in one statement. */
export async function insertHistory(q: Queryable, entries: NewHistoryEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const set = rowSet(HISTORY_COLUMNS, entries);
  await runPrepared(
    q,
    preparedStatement(`INSERT INTO verification_status_history (${set.columns.join(', ')})
     SELECT ${set.columns.map((c) => set.value(c)).join(', ')} FROM ${set.from} ORDER BY r.n`),
    set.params,
  );
}

/** A session's history in arrival order. */
export async function historyOfSession(q: Queryable, sessionId: string): Promise<StatusHistoryEntry[]> {
  const rows: StatusHistoryRow[] = await q.query('SELECT * FROM verification_status_history WHERE session_id = $1 ORDER BY id ASC', [sessionId]);
  return rows.map(historyEntryOf);
}

/** Deletes the sessions' history; the number of entries deleted. */
export function deleteHistory(m: EntityManager, sessionIds: string[]): Promise<number> {
  return affectedRows(m, 'DELETE FROM verification_status_history WHERE session_id = ANY($1)', [sessionIds]);
}
