// The statements of recording a batch of reports, each for the whole batch: one read of the sessions
// (locked in key order, with their identity and the fingerprints they already recorded), then one
// multi-row write per table.
import type { EntityManager } from 'typeorm';
import { entityFromRow, rowSet } from './entity-rows';
import { IdentityRecord } from './identity-record.entity';
import type { HistoryRow, StoredSession } from './recording-plan';
import { StatusHistoryEntry } from './status-history.entity';
import { VerificationSession } from './verification-session.entity';

/** Session columns a report writes (the key first; `seq`, `created_at`, `updated_at` are the database's). */
const SESSION_COLUMNS = [
  'sessionId', 'provider', 'subjectRef', 'workflowId', 'status', 'providerStatus', 'previousStatus', 'statusAt', 'transitions', 'decidedAt',
  'documentType', 'issuingCountry', 'livenessScore', 'faceMatchScore', 'ipRiskFlags', 'providerAml', 'decisionKey', 'payloadVersion',
  'firstEventAt', 'lastEventAt', 'erasedAt',
] as const satisfies ReadonlyArray<keyof VerificationSession>;

const IDENTITY_COLUMNS = [
  'sessionId', 'documentType', 'issuingState', 'firstNameEnc', 'lastNameEnc', 'fullNameEnc', 'dateOfBirthEnc', 'nationalityEnc',
  'documentNumberEnc', 'addressEnc', 'identityDigest', 'keyId',
] as const satisfies ReadonlyArray<keyof IdentityRecord>;

const HISTORY_COLUMNS = [
  'sessionId', 'eventId', 'deliveryId', 'fingerprint', 'webhookType', 'payloadVersion', 'status', 'providerStatus', 'previousStatus',
  'outcome', 'stale', 'decisionApplied', 'occurredAt', 'receivedAt',
] as const satisfies ReadonlyArray<keyof StatusHistoryEntry>;

/**
 * Locks the sessions that exist among `sessionIds` (in key order, so concurrent batches lock in the
 * same order) and reads, in the same statement, their identity and which of `fingerprints` they
 * have already recorded.
 */
export async function lockSessions(m: EntityManager, sessionIds: string[], fingerprints: string[]): Promise<Map<string, StoredSession>> {
  const identity = m.connection.getMetadata(IdentityRecord).columns.map((c) => `i."${c.databaseName}" AS "i.${c.databaseName}"`);
  const rows: Array<Record<string, unknown>> = await m.query(
    `SELECT s.*, ${identity.join(', ')},
       ARRAY(SELECT h.fingerprint FROM verification_status_history h WHERE h.session_id = s.session_id AND h.fingerprint = ANY($2::text[])) AS "recorded"
     FROM verification_sessions s LEFT JOIN identity_attributes i ON i.session_id = s.session_id
     WHERE s.session_id = ANY($1::text[]) ORDER BY s.session_id FOR UPDATE OF s`,
    [[...new Set(sessionIds)].sort(), [...new Set(fingerprints)]],
  );
  return new Map(
    rows.map((row) => {
      const identityRow = Object.fromEntries(Object.entries(row).filter(([k]) => k.startsWith('i.')).map(([k, v]) => [k.slice(2), v]));
      const stored: StoredSession = {
        session: entityFromRow(m, VerificationSession, row),
        identity: identityRow.session_id === null ? undefined : entityFromRow(m, IdentityRecord, identityRow),
        recorded: new Set(row.recorded as string[]),
      };
      return [stored.session.sessionId, stored];
    }),
  );
}

/**
 * Inserts new sessions unless they exist; returns the keys that already existed (another consumer
 * created them meanwhile). Rows go in in key order (the uniqueness checks lock in the same order in
 * every batch); `seq` is drawn in list order, so the pagination order stays the order of creation.
 */
export async function insertSessions(m: EntityManager, sessions: VerificationSession[]): Promise<string[]> {
  if (sessions.length === 0) return [];
  const set = rowSet(m, VerificationSession, SESSION_COLUMNS, sessions);
  const rows: Array<{ session_id: string }> = await m.query(
    `WITH r AS (SELECT * FROM ${set.from}),
     drawn AS (SELECT r.*, nextval(pg_get_serial_sequence('verification_sessions', 'seq')) AS seq FROM (SELECT * FROM r ORDER BY n) r)
     INSERT INTO verification_sessions (${set.columns.join(', ')}, seq)
     SELECT ${set.columns.map((c) => set.value(c)).join(', ')}, r.seq FROM drawn r ORDER BY r.session_id
     ON CONFLICT (session_id) DO NOTHING RETURNING session_id`,
    set.params,
  );
  const created = new Set(rows.map((r) => r.session_id));
  return sessions.map((s) => s.sessionId).filter((id) => !created.has(id));
}

export async function updateSessions(m: EntityManager, sessions: VerificationSession[]): Promise<void> {
  if (sessions.length === 0) return;
  const set = rowSet(m, VerificationSession, SESSION_COLUMNS, sessions);
  const assignments = set.columns.filter((c) => c !== 'session_id').map((c) => `${c} = ${set.value(c)}`);
  await m.query(
    `UPDATE verification_sessions s SET ${assignments.join(', ')}, updated_at = now()
     FROM (SELECT * FROM ${set.from}) r WHERE s.session_id = r.session_id`,
    set.params,
  );
}

/** Writes identity records (ciphertext only), replacing a session's earlier one. */
export async function upsertIdentities(m: EntityManager, records: IdentityRecord[]): Promise<void> {
  if (records.length === 0) return;
  const set = rowSet(m, IdentityRecord, IDENTITY_COLUMNS, records);
  const updates = set.columns.filter((c) => c !== 'session_id').map((c) => `${c} = EXCLUDED.${c}`);
  await m.query(
    `INSERT INTO identity_attributes (${set.columns.join(', ')})
     SELECT ${set.columns.map((c) => set.value(c)).join(', ')} FROM ${set.from} ORDER BY r.session_id
     ON CONFLICT (session_id) DO UPDATE SET ${updates.join(', ')}, updated_at = now()`,
    set.params,
  );
}

/** Appends history entries in list order (their ids are the arrival order). */
export async function insertHistory(m: EntityManager, entries: HistoryRow[]): Promise<void> {
  if (entries.length === 0) return;
  const set = rowSet(m, StatusHistoryEntry, HISTORY_COLUMNS, entries as StatusHistoryEntry[]);
  await m.query(
    `INSERT INTO verification_status_history (${set.columns.join(', ')})
     SELECT ${set.columns.map((c) => set.value(c)).join(', ')} FROM ${set.from} ORDER BY r.n`,
    set.params,
  );
}
