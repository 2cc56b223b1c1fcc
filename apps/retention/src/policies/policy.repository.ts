import type { EntityManager } from 'typeorm';
import type { DataCategory } from '@compliance/contracts';
import { changedRows, type Queryable } from '../sql';

export interface PolicyRow {
  category: string;
  /** null = indefinite. */
  retention_days: number | null;
  updated_at: Date;
  updated_by: string;
}

export async function allPolicies(q: Queryable): Promise<PolicyRow[]> {
  return q.query('SELECT * FROM retention_policies');
}

/** A category's retention in days; null when indefinite (or unknown). */
export async function retentionDaysOf(q: Queryable, category: DataCategory): Promise<number | null> {
  const [row]: Array<{ retention_days: number | null }> = await q.query('SELECT retention_days FROM retention_policies WHERE category = $1', [category]);
  return row ? row.retention_days : null;
}

/** Every category has its row (the first migration writes the defaults); locked until the transaction ends. */
export async function lockPolicy(m: EntityManager, category: DataCategory): Promise<PolicyRow> {
  const [row] = await m.query<PolicyRow[]>('SELECT * FROM retention_policies WHERE category = $1 FOR UPDATE', [category]);
  return row;
}

export async function updatePolicy(m: EntityManager, category: DataCategory, retentionDays: number | null, updatedAt: Date, updatedBy: string): Promise<PolicyRow> {
  const [row] = await changedRows<PolicyRow>(
    m,
    'UPDATE retention_policies SET retention_days = $2, updated_at = $3, updated_by = $4 WHERE category = $1 RETURNING *',
    [category, retentionDays, updatedAt, updatedBy],
  );
  return row;
}
