import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { DATA_CATEGORIES, EventSources, EventTypes, newEvent, Topics, type DataCategory, type PolicyChangedData } from '@compliance/contracts';
import { addToOutbox } from '@compliance/messaging';
import { Clock } from '../clock/clock';
import { changedRows } from '../sql';
import type { PolicyView } from './policies.dto';

interface PolicyRow {
  category: string;
  retention_days: number | null;
  updated_at: Date;
  updated_by: string;
}

const toView = (r: PolicyRow): PolicyView => ({
  category: r.category,
  retentionDays: r.retention_days,
  indefinite: r.retention_days === null,
  updatedAt: r.updated_at.toISOString(),
  updatedBy: r.updated_by,
});

export const isDataCategory = (value: string): value is DataCategory => (DATA_CATEGORIES as readonly string[]).includes(value);

/** Retention policies per data category (DESIGN §8). */
@Injectable()
export class PoliciesService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
  ) {}

  async list(): Promise<PolicyView[]> {
    const rows: PolicyRow[] = await this.ds.query('SELECT * FROM retention_policies');
    return DATA_CATEGORIES.map((c) => rows.find((r) => r.category === c)).filter((r): r is PolicyRow => !!r).map(toView);
  }

  async retentionDays(category: DataCategory, manager: EntityManager = this.ds.manager): Promise<number | null> {
    const [row] = await manager.query('SELECT retention_days FROM retention_policies WHERE category = $1', [category]);
    return row ? row.retention_days : null;
  }

  /**
   * Sets a category's retention; a real change is announced with `retention.policy.changed` in the
   * same transaction (audit-log records it). Setting the current value again changes nothing.
   */
  async update(category: DataCategory, retentionDays: number | null, changedBy: string): Promise<{ policy: PolicyView; changed: boolean }> {
    return this.ds.transaction(async (m) => {
      const [current]: PolicyRow[] = await m.query('SELECT * FROM retention_policies WHERE category = $1 FOR UPDATE', [category]);
      if (current.retention_days === retentionDays) return { policy: toView(current), changed: false };
      const now = this.clock.now();
      const [updated] = await changedRows<PolicyRow>(
        m,
        'UPDATE retention_policies SET retention_days = $2, updated_at = $3, updated_by = $4 WHERE category = $1 RETURNING *',
        [category, retentionDays, now, changedBy],
      );
      const data: PolicyChangedData = { category, retentionDays, previousDays: current.retention_days, changedBy, changedAt: now.toISOString() };
      const event = newEvent({ type: EventTypes.RetentionPolicyChanged, source: EventSources.Retention, subject: category, data, time: now });
      await addToOutbox(m, Topics.RetentionEvents, category, event);
      return { policy: toView(updated), changed: true };
    });
  }
}
