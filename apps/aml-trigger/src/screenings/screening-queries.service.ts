import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { alertIdsByScreening } from '../alerts/alert.repository';
import { isMonitored } from '../monitoring/monitored-subject.repository';
import { PiiCipher } from '@compliance/persistence';
import { findScreening, screeningsOfSubject, type ScreeningRow } from './screening.repository';
import type { ScreeningView } from './screenings.dto';
import { sealContext } from './screenings.service';

/** Read side of screenings for the HTTP API. */
@Injectable()
export class ScreeningQueries {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: PiiCipher,
  ) {}

  async byId(id: string): Promise<ScreeningView> {
    const row = await findScreening(this.dataSource, id);
    if (!row) throw new NotFoundException({ statusCode: 404, code: 'SCREENING_NOT_FOUND', message: `no screening ${id}` });
    return (await this.withAlerts([row]))[0];
  }

  async ofSubject(subjectRef: string): Promise<{ subjectRef: string; monitored: boolean; screenings: ScreeningView[] }> {
    const rows = await screeningsOfSubject(this.dataSource, subjectRef);
    const monitored = await isMonitored(this.dataSource, subjectRef);
    return { subjectRef, monitored, screenings: await this.withAlerts(rows) };
  }

  private async withAlerts(rows: ScreeningRow[]): Promise<ScreeningView[]> {
    const alerts = await alertIdsByScreening(this.dataSource, rows.map((r) => r.id));
    return rows.map((row) => this.toView(row, alerts.get(row.id) ?? []));
  }

  private toView(row: ScreeningRow, alertIds: string[]): ScreeningView {
    const opt = <T>(v: T | null) => v ?? undefined;
    return {
      id: row.id,
      subjectRef: row.subject_ref,
      sessionId: opt(row.session_id),
      provider: row.provider,
      trigger: row.trigger,
      status: row.status,
      outcome: opt(row.outcome),
      score: opt(row.score),
      hits: row.hits,
      listVersions: row.list_versions,
      algorithm: opt(row.algorithm),
      thresholds: opt(row.thresholds),
      providerReference: opt(row.provider_reference),
      providerSummary: opt(row.provider_summary),
      attempts: row.attempts,
      failureReason: opt(row.failure_reason),
      requestedAt: row.requested_at.toISOString(),
      completedAt: row.completed_at?.toISOString(),
      input: this.input(row),
      erasedAt: row.erased_at?.toISOString(),
      alertIds,
    };
  }

  private input(row: ScreeningRow): Record<string, string | undefined> | null {
    if (!row.input_sealed) return null;
    try {
      return this.cipher.openJson(row.input_sealed, sealContext(row.id));
    } catch {
      return null;
    }
  }
}
