import type { EntityManager } from 'typeorm';
import type { DecisionSummary, KycStatus } from '@compliance/contracts';
import { affectedRows } from '@compliance/messaging';
import { preparedStatement, runPrepared } from '@compliance/persistence';
import { IDENTITY_ROW_COLUMNS, identityOf, type IdentityRecord, type IdentityRecordRow } from './identity-record.repository';
import { rowSet, type Queryable, type SqlColumn } from './sql-rows';

/** One provider verification session as kyc-results knows it. No personal data except the subject reference. */
export interface VerificationSessionRow {
  session_id: string;
  /** Insertion order (bigserial): a stable pagination cursor. */
  seq: string;
  provider: string;
  subject_ref: string | null;
  workflow_id: string | null;
  status: KycStatus;
  provider_status: string | null;
  previous_status: KycStatus | null;
  /** Provider time of the report that put the session at its current status (the ordering position). */
  status_at: Date;
  transitions: number;
  /** Terminal decision time: the verification_data retention clock. */
  decided_at: Date | null;
  document_type: string | null;
  issuing_country: string | null;
  liveness_score: number | null;
  face_match_score: number | null;
  ip_risk_flags: string[] | null;
  provider_aml: DecisionSummary['providerAml'] | null;
  /** Order key of the decision data held (see decisionKey in verification-state). */
  decision_key: string | null;
  payload_version: string;
  first_event_at: Date;
  last_event_at: Date;
  /** Set by an erasure request: personal data is gone and is not taken again for this session. */
  erased_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** A session as reports change it: the columns a report writes. */
export interface VerificationSession {
  sessionId: string;
  provider: string;
  subjectRef: string | null;
  workflowId: string | null;
  status: KycStatus;
  providerStatus: string | null;
  previousStatus: KycStatus | null;
  statusAt: Date;
  transitions: number;
  decidedAt: Date | null;
  documentType: string | null;
  issuingCountry: string | null;
  livenessScore: number | null;
  faceMatchScore: number | null;
  ipRiskFlags: string[] | null;
  providerAml: DecisionSummary['providerAml'] | null;
  decisionKey: string | null;
  payloadVersion: string;
  firstEventAt: Date;
  lastEventAt: Date;
  erasedAt: Date | null;
}

/** A session as stored, with what the database adds. */
export interface RecordedSession extends VerificationSession {
  seq: string;
  createdAt: Date;
  updatedAt: Date;
}

/** What the database holds for a session, read under its row lock. */
export interface StoredSession {
  session: VerificationSession;
  identity?: IdentityRecord;
  /** Those of the batch's fingerprints that the session has already recorded. */
  recorded: Set<string>;
}

/** Session columns a report writes (the key first; `seq`, `created_at`, `updated_at` are the database's). */
const SESSION_COLUMNS: ReadonlyArray<SqlColumn<VerificationSession>> = [
  ['sessionId', 'session_id', 'text'],
  ['provider', 'provider', 'text'],
  ['subjectRef', 'subject_ref', 'text'],
  ['workflowId', 'workflow_id', 'text'],
  ['status', 'status', 'text'],
  ['providerStatus', 'provider_status', 'text'],
  ['previousStatus', 'previous_status', 'text'],
  ['statusAt', 'status_at', 'timestamptz'],
  ['transitions', 'transitions', 'integer'],
  ['decidedAt', 'decided_at', 'timestamptz'],
  ['documentType', 'document_type', 'text'],
  ['issuingCountry', 'issuing_country', 'text'],
  ['livenessScore', 'liveness_score', 'double precision'],
  ['faceMatchScore', 'face_match_score', 'double precision'],
  ['ipRiskFlags', 'ip_risk_flags', 'text[]'],
  ['providerAml', 'provider_aml', 'jsonb'],
  ['decisionKey', 'decision_key', 'text'],
  ['payloadVersion', 'payload_version', 'text'],
  ['firstEventAt', 'first_event_at', 'timestamptz'],
  ['lastEventAt', 'last_event_at', 'timestamptz'],
  ['erasedAt', 'erased_at', 'timestamptz'],
];

export const sessionOf = (row: VerificationSessionRow): RecordedSession => ({
  sessionId: row.session_id,
  seq: row.seq,
  provider: row.provider,
  subjectRef: row.subject_ref,
  workflowId: row.workflow_id,
  status: row.status,
  providerStatus: row.provider_status,
  previousStatus: row.previous_status,
  statusAt: row.status_at,
  transitions: row.transitions,
  decidedAt: row.decided_at,
  documentType: row.document_type,
  issuingCountry: row.issuing_country,
  livenessScore: row.liveness_score,
  faceMatchScore: row.face_match_score,
  ipRiskFlags: row.ip_risk_flags,
  providerAml: row.provider_aml,
  decisionKey: row.decision_key,
  payloadVersion: row.payload_version,
  firstEventAt: row.first_event_at,
  lastEventAt: row.last_event_at,
  erasedAt: row.erased_at,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** The sessions of a batch as locked, and the erasure tombstones found among the digests looked up with them. */
export interface LockedSessions {
  sessions: Map<string, StoredSession>;
  /** Digest → when it was erased. */
  tombstones: Map<string, Date>;
}

/**
 * Locks the sessions that exist among `sessionIds` (in key order, so concurrent batches lock in the
 * same order) and reads, in the same statement, their identity, which of `fingerprints` they have
 * already recorded, and which of `tombstoneDigests` are erasure tombstones (answered even when no
 * session exists yet: a late report of an erased subject may be its session's first).
 */
export async function lockSessions(m: EntityManager, sessionIds: string[], fingerprints: string[], tombstoneDigests: string[] = []): Promise<LockedSessions> {
  const identity = IDENTITY_ROW_COLUMNS.map((c) => `i."${c}" AS "i.${c}"`);
  const rows: Array<VerificationSessionRow & Record<string, unknown> & { recorded: string[]; tombstones: Record<string, number> }> = await runPrepared(
    m,
    preparedStatement(`SELECT l.*, t.tombstones
     FROM (SELECT coalesce(jsonb_object_agg(digest, floor(extract(epoch FROM erased_at) * 1000)), '{}'::jsonb) AS tombstones FROM erasure_tombstones WHERE digest = ANY($3::text[])) t
     LEFT JOIN (
       SELECT s.*, ${identity.join(', ')},
         ARRAY(SELECT h.fingerprint FROM verification_status_history h WHERE h.session_id = s.session_id AND h.fingerprint = ANY($2::text[])) AS "recorded"
       FROM verification_sessions s LEFT JOIN identity_attributes i ON i.session_id = s.session_id
       WHERE s.session_id = ANY($1::text[]) ORDER BY s.session_id FOR UPDATE OF s) l ON true`),
    [[...new Set(sessionIds)].sort(), [...new Set(fingerprints)], [...new Set(tombstoneDigests)]],
  );
  const sessions = new Map(
    rows
      .filter((row) => row.session_id !== null)
      .map((row) => {
        const identityRow = Object.fromEntries(Object.entries(row).filter(([k]) => k.startsWith('i.')).map(([k, v]) => [k.slice(2), v])) as unknown as IdentityRecordRow;
        const stored: StoredSession = {
          session: sessionOf(row),
          identity: identityRow.session_id === null ? undefined : identityOf(identityRow),
          recorded: new Set(row.recorded),
        };
        return [stored.session.sessionId, stored] as const;
      }),
  );
  const tombstones = new Map(Object.entries(rows[0]?.tombstones ?? {}).map(([digest, at]) => [digest, new Date(at)]));
  return { sessions, tombstones };
}

/**
 * Inserts new sessions unless they exist; returns the keys that already existed (another consumer
 * created them meanwhile). Rows go in in key order (the uniqueness checks lock in the same order in
 * every batch); `seq` is drawn in list order, so the pagination order stays the order of creation.
 */
export async function insertSessions(m: EntityManager, sessions: VerificationSession[]): Promise<string[]> {
  if (sessions.length === 0) return [];
  const set = rowSet(SESSION_COLUMNS, sessions);
  const rows: Array<{ session_id: string }> = await runPrepared(
    m,
    preparedStatement(`WITH r AS (SELECT * FROM ${set.from}),
     drawn AS (SELECT r.*, nextval(pg_get_serial_sequence('verification_sessions', 'seq')) AS seq FROM (SELECT * FROM r ORDER BY n) r)
     INSERT INTO verification_sessions (${set.columns.join(', ')}, seq)
     SELECT ${set.columns.map((c) => set.value(c)).join(', ')}, r.seq FROM drawn r ORDER BY r.session_id
     ON CONFLICT (session_id) DO NOTHING RETURNING session_id`),
    set.params,
  );
  const created = new Set(rows.map((r) => r.session_id));
  return sessions.map((s) => s.sessionId).filter((id) => !created.has(id));
}

/** Writes the sessions' columns in one statement. */
export async function updateSessions(m: EntityManager, sessions: VerificationSession[]): Promise<void> {
  if (sessions.length === 0) return;
  const set = rowSet(SESSION_COLUMNS, sessions);
  const assignments = set.columns.filter((c) => c !== 'session_id').map((c) => `${c} = ${set.value(c)}`);
  await runPrepared(
    m,
    preparedStatement(`UPDATE verification_sessions s SET ${assignments.join(', ')}, updated_at = now()
     FROM (SELECT * FROM ${set.from}) r WHERE s.session_id = r.session_id`),
    set.params,
  );
}

export async function findSession(q: Queryable, sessionId: string): Promise<RecordedSession | undefined> {
  const [row]: VerificationSessionRow[] = await q.query('SELECT * FROM verification_sessions WHERE session_id = $1', [sessionId]);
  return row ? sessionOf(row) : undefined;
}

/** A subject's sessions, newest first (by `seq`), up to `limit`; after a cursor, those before `beforeSeq`. */
export async function sessionsOfSubject(q: Queryable, subjectRef: string, limit: number, beforeSeq?: string): Promise<RecordedSession[]> {
  const rows: VerificationSessionRow[] =
    beforeSeq === undefined
      ? await q.query('SELECT * FROM verification_sessions WHERE subject_ref = $1 ORDER BY seq DESC LIMIT $2', [subjectRef, limit])
      : await q.query('SELECT * FROM verification_sessions WHERE subject_ref = $1 AND seq < $3 ORDER BY seq DESC LIMIT $2', [subjectRef, limit, beforeSeq]);
  return rows.map(sessionOf);
}

/** Locks, in key order, the sessions of a subject and the ones named; their keys. */
export async function lockSessionsOfSubject(m: EntityManager, subjectRef: string, sessionIds: string[]): Promise<string[]> {
  const rows: Array<{ session_id: string }> = await m.query(
    'SELECT session_id FROM verification_sessions WHERE subject_ref = $1 OR session_id = ANY($2) ORDER BY session_id FOR UPDATE',
    [subjectRef, sessionIds],
  );
  return rows.map((r) => r.session_id);
}

/** Clears the subject reference and the biometric-derived summary of sessions not erased yet; the number erased. */
export function eraseSessions(m: EntityManager, sessionIds: string[]): Promise<number> {
  return affectedRows(
    m,
    `UPDATE verification_sessions SET subject_ref = NULL, document_type = NULL, issuing_country = NULL, liveness_score = NULL,
       face_match_score = NULL, ip_risk_flags = NULL, provider_aml = NULL, erased_at = now(), updated_at = now()
     WHERE session_id = ANY($1) AND erased_at IS NULL`,
    [sessionIds],
  );
}

/**
 * Locks, in key order, the sessions whose verification_data clock (the terminal decision, else the
 * last report) started before `clockStartedBefore`, narrowed to one session or subject when given;
 * their keys.
 */
export async function lockSessionsDueForPurge(
  m: EntityManager,
  due: { clockStartedBefore: string; sessionId: string | null; subjectRef: string | null },
): Promise<string[]> {
  const rows: Array<{ session_id: string }> = await m.query(
    `SELECT session_id FROM verification_sessions
     WHERE coalesce(decided_at, last_event_at) < $1 AND ($2::text IS NULL OR session_id = $2) AND ($3::text IS NULL OR subject_ref = $3)
     ORDER BY session_id FOR UPDATE`,
    [due.clockStartedBefore, due.sessionId, due.subjectRef],
  );
  return rows.map((r) => r.session_id);
}

/** Deletes the sessions; the number deleted. */
export function deleteSessions(m: EntityManager, sessionIds: string[]): Promise<number> {
  return affectedRows(m, 'DELETE FROM verification_sessions WHERE session_id = ANY($1)', [sessionIds]);
}
