import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { RetentionConfig } from '../retention.config';
import { isUuid } from '../sql';
import { confirmationsOf, findRequest, providerDeletionsOf, type ProviderDeletionRow } from './erasure-request.repository';

const iso = (d: Date | null): string | null => d?.toISOString() ?? null;

/** GET /erasure-requests/:id: status, per-service progress and the provider's answer per session. */
@Injectable()
export class ErasureReportQuery {
  constructor(
    private readonly ds: DataSource,
    private readonly config: RetentionConfig,
  ) {}

  async report(id: string) {
    const req = isUuid(id) ? await findRequest(this.ds, id) : undefined;
    if (!req) throw new NotFoundException({ statusCode: 404, code: 'ERASURE_REQUEST_NOT_FOUND', message: `no erasure request ${id}` });
    const confirmations = await confirmationsOf(this.ds, id);
    const provider = await providerDeletionsOf(this.ds, id);
    const services = [...new Set([...req.expected_services, ...confirmations.map((c) => c.service)])].map((service) => {
      const c = confirmations.find((x) => x.service === service);
      return { service, expected: req.expected_services.includes(service), confirmed: !!c, completedAt: iso(c?.completed_at ?? null), counts: c?.counts ?? null };
    });
    return {
      id: req.id,
      subjectRef: req.subject_ref,
      reason: req.reason,
      status: req.status,
      legalHoldId: req.legal_hold_id,
      requestedBy: req.requested_by,
      requestedAt: iso(req.requested_at),
      dispatchedAt: iso(req.dispatched_at),
      finishedAt: iso(req.finished_at),
      deadlineAt: req.dispatched_at ? new Date(req.dispatched_at.getTime() + this.config.RETENTION_ERASURE_DEADLINE_MS).toISOString() : null,
      overdueAlertId: req.overdue_alert_id,
      sessionIds: req.session_ids,
      // Crypto-shredding: the person's data keys destroyed when the erasure was ordered (null: no keyring then).
      keysDestroyed: req.keys_destroyed,
      services,
      waitingFor: req.status === 'in_progress' ? services.filter((s) => s.expected && !s.confirmed).map((s) => s.service) : [],
      provider: {
        enabled: req.provider_deletion,
        sessions: req.provider_deletion ? req.session_ids.map((sessionId) => this.providerOutcome(sessionId, provider)) : [],
      },
    };
  }

  private providerOutcome(sessionId: string, rows: ProviderDeletionRow[]) {
    const p = rows.find((r) => r.session_id === sessionId);
    if (!p) return { sessionId, outcome: 'pending' };
    return { sessionId, outcome: p.outcome, httpStatus: p.http_status, attempts: p.attempts, error: p.error, attemptedAt: iso(p.attempted_at) };
  }
}
