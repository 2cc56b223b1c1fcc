import type { EntityManager } from 'typeorm';
import { changedRows, type Queryable } from '../sql';

export interface LegalHoldRow {
  id: string;
  subject_ref: string;
  reason: string;
  until: Date | null;
  placed_by: string;
  placed_at: Date;
  lifted_at: Date | null;
  lifted_by: string | null;
}

export type ActiveHold = Pick<LegalHoldRow, 'id' | 'reason' | 'until' | 'placed_at'>;

/** A hold is in force from its placement until it is lifted or its `until` has passed. */
export const ACTIVE_HOLD_SQL = `h.lifted_at IS NULL AND (h.until IS NULL OR h.until > $AT)`;

/** ACTIVE_HOLD_SQL for a query whose legal_holds alias is `h` and whose instant is the parameter `atParam`. */
export function activeHoldCondition(atParam: string): string {
  return ACTIVE_HOLD_SQL.replace('$AT', atParam);
}

/** A subject's holds in force at `at`, the one that blocks longest first. */
export async function activeHoldsOf(q: Queryable, subjectRef: string, at: Date): Promise<ActiveHold[]> {
  return q.query(
    `SELECT h.id, h.reason, h.until, h.placed_at FROM legal_holds h WHERE h.subject_ref = $1 AND ${activeHoldCondition('$2')} ORDER BY h.until DESC NULLS FIRST, h.placed_at, h.id`,
    [subjectRef, at],
  );
}

/** The hold in force that blocks longest (no end first, then the latest end): the one to name and to lift. */
export async function activeHoldFor(q: Queryable, subjectRef: string, at: Date): Promise<ActiveHold | undefined> {
  return (await activeHoldsOf(q, subjectRef, at))[0];
}

export interface NewLegalHold {
  id: string;
  subjectRef: string;
  reason: string;
  until: Date | null;
  placedBy: string;
  placedAt: Date;
}

export async function insertHold(m: EntityManager, h: NewLegalHold): Promise<LegalHoldRow> {
  const [row] = await m.query<LegalHoldRow[]>(
    'INSERT INTO legal_holds (id, subject_ref, reason, until, placed_by, placed_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *',
    [h.id, h.subjectRef, h.reason, h.until, h.placedBy, h.placedAt],
  );
  return row;
}

export async function findHold(q: Queryable, id: string): Promise<LegalHoldRow | undefined> {
  const [row] = await q.query('SELECT * FROM legal_holds WHERE id = $1', [id]);
  return row;
}

/** The hold, locked until the transaction ends (lifts of one hold wait on each other). */
export async function lockHold(m: EntityManager, id: string): Promise<LegalHoldRow | undefined> {
  const [row] = await m.query<LegalHoldRow[]>('SELECT * FROM legal_holds WHERE id = $1 FOR UPDATE', [id]);
  return row;
}

export async function liftHold(m: EntityManager, id: string, liftedAt: Date, liftedBy: string): Promise<LegalHoldRow> {
  const [row] = await changedRows<LegalHoldRow>(m, 'UPDATE legal_holds SET lifted_at = $2, lifted_by = $3 WHERE id = $1 RETURNING *', [id, liftedAt, liftedBy]);
  return row;
}
