import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DATA_CATEGORIES, EventSources, EventTypes, newEvent, Topics, type DataCategory, type PolicyChangedData } from '@compliance/contracts';
import { addToOutbox } from '@compliance/messaging';
import { Clock } from '../clock/clock';
import type { PolicyView } from './policies.dto';
import { allPolicies, lockPolicy, retentionDaysOf, updatePolicy, type PolicyRow } from './policy.repository';

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
    const rows = await allPolicies(this.ds);
    return DATA_CATEGORIES.map((c) => rows.find((r) => r.category === c)).filter((r): r is PolicyRow => !!r).map(toView);
  }

  /** The policy in force now, read outside any transaction (for Kafka's topic retention). */
  retentionDays(category: DataCategory): Promise<number | null> {
    return retentionDaysOf(this.ds, category);
  }

  /**
   * Sets a category's retention; a real change is announced with `retention.policy.changed` in the
   * same transaction (audit-log records it). Setting the current value again changes nothing.
   */
  async update(category: DataCategory, retentionDays: number | null, changedBy: string): Promise<{ policy: PolicyView; changed: boolean }> {
    return this.ds.transaction(async (m) => {
      const current = await lockPolicy(m, category);
      if (current.retention_days === retentionDays) return { policy: toView(current), changed: false };
      const now = this.clock.now();
      const updated = await updatePolicy(m, category, retentionDays, now, changedBy);
      const data: PolicyChangedData = { category, retentionDays, previousDays: current.retention_days, changedBy, changedAt: now.toISOString() };
      const event = newEvent({ type: EventTypes.RetentionPolicyChanged, source: EventSources.Retention, subject: category, data, time: now });
      await addToOutbox(m, Topics.RetentionEvents, category, event);
      return { policy: toView(updated), changed: true };
    });
  }
}
