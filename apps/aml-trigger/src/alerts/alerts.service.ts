import { BadRequestException, ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Counter, register } from 'prom-client';
import type { EntityManager } from 'typeorm';
import {
  DataKeyMissingError,
  EventSources,
  EventTypes,
  newEvent,
  Topics,
  type ComplianceAlertResolvedData,
  type ComplianceAlertReviewProposedData,
} from '@compliance/contracts';
import { dataKeyMissingResponse, hasRole, type Principal } from '@compliance/platform';
import { identityOwnerOf, IdentitySealing } from '../pii/identity-sealing';
import { addManyToOutbox, addToOutbox, OutboxRelay } from '@compliance/messaging';
import type { ScreeningRef } from '../screenings/screening.repository';
import { eventKeyOf, type ScreeningVerdict } from '../screenings/screening.types';
import {
  ALERT_STATUSES,
  alertQueuePage,
  AML_ALERT_KINDS,
  claimNewHits,
  countAlerts,
  findAlert,
  insertAlerts,
  openAlertCounts,
  recordProposal,
  recordReview,
  suppressHits,
  type AlertQueueFilter,
  type AlertQueuePosition,
  type AlertQueueRow,
  type AlertRow,
  type AlertStatus,
} from './alert.repository';
import { failureAlert, hitAlert, hitAlertCandidate, needsHitAlert, planHitClaims, type HitAlertCandidate, type PreparedAlert } from './prepared-alert';
import type { AlertQueuePage, AlertQueueQuery, AlertQueueStatus, AlertSummary, AlertView } from './alerts.dto';

const alertsRaised =
  (register.getSingleMetric('aml_alerts_raised_total') as Counter | undefined) ??
  new Counter({ name: 'aml_alerts_raised_total', help: 'Alerts raised, by kind', labelNames: ['kind'] });

/** Where an alert's personal data is, sealed at rest under the person's data key: the summary names the match, notes may name anyone. */
export const ALERT_SEALED_PATHS = ['summary', 'details.hits.*.matchedName', 'details.hits.*.entityName', 'note', 'proposalNote'];
export const alertSealContext = (alertId: string) => `alert:${alertId}`;

/** An alert's personal fields, as sealed and opened together. */
interface AlertPersonal {
  summary?: string;
  details?: Record<string, unknown>;
  note?: string | null;
  proposalNote?: string | null;
}

/** What a list shows for a summary sealed under a data key the keyring lacks. */
export const UNAVAILABLE = '[unavailable]';

/**
 * Alerts for humans: raised inside the screening's transaction, reviewed over HTTP. Summaries, hit
 * names and notes are kept sealed under the person's data key (crypto-shredding) and opened for the
 * API; once the key is destroyed they read "[erased]". A single alert under a key missing from the
 * keyring is answered 409 DATA_KEY_MISSING; the queue shows its summary as "[unavailable]".
 */
@Injectable()
export class AlertsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
    private readonly sealing: IdentitySealing,
  ) {}

  private sealFor(row: Pick<AlertRow, 'id' | 'subject_ref' | 'session_id'>, data: AlertPersonal): Promise<AlertPersonal> {
    return this.sealing.sealFields([{ data, owner: identityOwnerOf(row.subject_ref, row.session_id), context: alertSealContext(row.id), paths: ALERT_SEALED_PATHS }]).then(([d]) => d);
  }

  /** The rows with their personal fields opened; a row under a missing key is its error. */
  private async opened<R extends Pick<AlertRow, 'id' | 'summary'> & Partial<Pick<AlertRow, 'details' | 'note' | 'proposal_note'>>>(rows: R[]): Promise<Array<R | DataKeyMissingError>> {
    const opened = await this.sealing.openFields<AlertPersonal>(
      rows.map((r) => ({ data: { summary: r.summary, details: r.details, note: r.note, proposalNote: r.proposal_note }, context: alertSealContext(r.id) })),
    );
    return rows.map((r, i) => {
      const o = opened[i];
      if (o instanceof DataKeyMissingError) return o;
      return { ...r, summary: o.summary as string, ...('details' in r ? { details: o.details } : {}), ...('note' in r ? { note: o.note } : {}), ...('proposal_note' in r ? { proposal_note: o.proposalNote } : {}) };
    });
  }

  /** One row opened for the API (409 DATA_KEY_MISSING when its key is missing). */
  private async openOne(row: AlertRow): Promise<AlertRow> {
    const [o] = await this.opened([row]);
    if (o instanceof DataKeyMissingError) throw dataKeyMissingResponse(o);
    return o;
  }

  /**
   * Claims, for finished screenings in order, the hits their subjects have never been alerted to
   * nor cleared (one statement for all): the keys each candidate's alert claimed, by alert id.
   */
  claimHits(m: EntityManager, candidates: HitAlertCandidate[]): Promise<Map<string, Set<string>>> {
    return claimNewHits(m, planHitClaims(candidates));
  }

  /** Writes prepared alerts in one statement; their events are the caller's to add to the outbox. */
  async store(m: EntityManager, alerts: PreparedAlert[]): Promise<void> {
    const sealed = await this.sealing.sealFields<AlertPersonal>(
      alerts.map(({ row }) => ({ data: { summary: row.summary, details: row.details }, owner: identityOwnerOf(row.subject_ref, row.session_id), context: alertSealContext(row.id), paths: ALERT_SEALED_PATHS })),
    );
    await insertAlerts(m, alerts.map((a, i) => ({ ...a.row, summary: sealed[i].summary as string, details: sealed[i].details as Record<string, unknown> })));
    for (const a of alerts) alertsRaised.inc({ kind: a.row.kind });
  }

  /** Raises one alert for the hits this subject has never been alerted to nor cleared; none if there are none. */
  async raiseForNewHits(m: EntityManager, s: ScreeningRef, verdict: ScreeningVerdict): Promise<string | undefined> {
    if (!needsHitAlert(verdict)) return undefined;
    const candidate = hitAlertCandidate(s, verdict);
    const alert = hitAlert(candidate, (await this.claimHits(m, [candidate])).get(candidate.alertId));
    if (alert) await this.raise(m, alert);
    return alert?.row.id;
  }

  /** A screening that could not be done is never dropped silently: a human is told. */
  async raiseScreeningFailed(m: EntityManager, s: ScreeningRef, reason: string, attempts: number): Promise<string> {
    const alert = failureAlert(s, reason, attempts);
    await this.raise(m, alert);
    return alert.row.id;
  }

  async find(id: string): Promise<AlertView> {
    const row = await findAlert(this.dataSource, id);
    if (!row) throw new NotFoundException({ statusCode: 404, code: 'ALERT_NOT_FOUND', message: `no alert ${id}` });
    return toView(await this.openOne(row));
  }

  /**
   * The alert queue, newest first, a page at a time (keyset on raised_at and id: no OFFSET), with the
   * open alerts by kind and the number matching the filter, all read from one snapshot.
   */
  async queue(q: AlertQueueQuery): Promise<AlertQueuePage> {
    const filter: AlertQueueFilter = { statuses: QUEUE_STATUSES[q.status], kinds: q.kind ? [q.kind] : AML_ALERT_KINDS };
    const after = q.cursor ? decodeCursor(q.cursor) : undefined;
    return this.dataSource.transaction('REPEATABLE READ', async (m) => {
      const rows = await alertQueuePage(m, filter, after, q.limit + 1);
      const page = rows.slice(0, q.limit);
      const last = page[page.length - 1];
      const opened = await this.opened(page);
      return {
        items: page.map((row, i) => {
          const o = opened[i];
          return toSummary(o instanceof DataKeyMissingError ? { ...row, summary: UNAVAILABLE } : o);
        }),
        nextCursor: rows.length > q.limit ? encodeCursor(last) : null,
        counts: await openAlertCounts(m),
        total: await countAlerts(m, filter),
      };
    });
  }

  /**
   * false_positive suppresses the alert's entities for this subject from now on; every decision is
   * published. Four eyes on a likely sanctions match (`aml_match`): clearing it is first a proposal
   * with a required note, and takes effect only when a second, different person with the auditor or
   * admin role clears it too; anyone may still confirm the match meanwhile.
   */
  async review(id: string, decision: 'false_positive' | 'confirmed', reviewer: Principal, note?: string): Promise<AlertView> {
    const view = await this.dataSource.transaction(async (m) => {
      const locked = await findAlert(m, id, true);
      if (!locked) throw new NotFoundException({ statusCode: 404, code: 'ALERT_NOT_FOUND', message: `no alert ${id}` });
      const row = await this.openOne(locked);
      const at = new Date().toISOString();
      if (row.status === 'false_positive_proposed') return this.secondReview(m, row, decision, reviewer, note, at);
      if (row.status !== 'open') throw new ConflictException({ statusCode: 409, code: 'ALERT_ALREADY_REVIEWED', message: `alert was already reviewed as ${row.status}` });
      if (decision === 'false_positive' && row.hit_keys.length === 0) {
        throw new BadRequestException({ statusCode: 400, code: 'ALERT_HAS_NO_HITS', message: 'only an alert about watchlist hits can be a false positive' });
      }
      if (decision === 'false_positive' && row.kind === 'aml_match') return this.propose(m, row, reviewer, note, at);
      return this.resolve(m, row, decision, { reviewer: reviewer.name, note }, at);
    });
    this.relay.kick();
    return view;
  }

  /** The first step of clearing a sanctions match: recorded and published, nothing suppressed yet. */
  private async propose(m: EntityManager, row: AlertRow, by: Principal, note: string | undefined, at: string): Promise<AlertView> {
    const reason = note?.trim();
    if (!reason) throw new BadRequestException({ statusCode: 400, code: 'NOTE_REQUIRED', message: 'clearing a sanctions match as a false positive needs a note saying why' });
    await recordProposal(m, row.id, by.name, (await this.sealFor(row, { proposalNote: reason })).proposalNote as string, at);
    const data: ComplianceAlertReviewProposedData = {
      alertId: row.id,
      proposal: 'false_positive',
      proposedBy: by.name,
      note: reason,
      subjectRef: row.subject_ref,
      ...(row.session_id ? { sessionId: row.session_id } : {}),
      proposedAt: at,
    };
    const key = eventKeyOf({ sessionId: row.session_id, subjectRef: row.subject_ref });
    await addToOutbox(m, Topics.ComplianceAlerts, key, newEvent({ type: EventTypes.ComplianceAlertReviewProposed, source: EventSources.AmlTrigger, subject: key, data, time: at }));
    return toView({ ...row, status: 'false_positive_proposed', proposed_by: by.name, proposed_at: new Date(at), proposal_note: reason });
  }

  /** The second step: a different auditor or admin clears it, or anyone confirms the match. */
  private secondReview(m: EntityManager, row: AlertRow, decision: 'false_positive' | 'confirmed', by: Principal, note: string | undefined, at: string): Promise<AlertView> {
    if (decision === 'confirmed') return this.resolve(m, row, 'confirmed', { reviewer: by.name, note }, at);
    if (!hasRole(by, 'auditor')) {
      throw new ForbiddenException({ statusCode: 403, code: 'SECOND_REVIEW_ROLE', message: 'a proposed clearance of a sanctions match is confirmed by an auditor or admin' });
    }
    if (by.name === row.proposed_by) {
      throw new ForbiddenException({ statusCode: 403, code: 'SAME_REVIEWER', message: 'a second, different person must confirm the clearance of a sanctions match' });
    }
    return this.resolve(m, row, 'false_positive', { reviewer: row.proposed_by as string, secondReviewer: by.name, note: note?.trim() || (row.proposal_note ?? undefined) }, at);
  }

  private async resolve(
    m: EntityManager,
    row: AlertRow,
    decision: 'false_positive' | 'confirmed',
    by: { reviewer: string; secondReviewer?: string; note?: string },
    at: string,
  ): Promise<AlertView> {
    const decidedBy = by.secondReviewer ?? by.reviewer;
    const note = by.note ? ((await this.sealFor(row, { note: by.note })).note as string) : undefined;
    await recordReview(m, row.id, decision, decidedBy, note, at);
    if (decision === 'false_positive') await suppressHits(m, row.subject_ref, row.id, row.hit_keys);
    const data: ComplianceAlertResolvedData = {
      alertId: row.id,
      resolution: decision,
      reviewer: by.reviewer,
      ...(by.secondReviewer ? { secondReviewer: by.secondReviewer } : {}),
      ...(by.note ? { note: by.note } : {}),
      subjectRef: row.subject_ref,
      ...(row.session_id ? { sessionId: row.session_id } : {}),
      resolvedAt: at,
    };
    const key = eventKeyOf({ sessionId: row.session_id, subjectRef: row.subject_ref });
    await addToOutbox(m, Topics.ComplianceAlerts, key, newEvent({ type: EventTypes.ComplianceAlertResolved, source: EventSources.AmlTrigger, subject: key, data, time: at }));
    return toView({ ...row, status: decision, reviewed_by: decidedBy, reviewed_at: new Date(at), note: by.note ?? null });
  }

  private async raise(m: EntityManager, alert: PreparedAlert): Promise<void> {
    await this.store(m, [alert]);
    await addManyToOutbox(m, [alert.outbox]);
  }
}

const QUEUE_STATUSES: Record<AlertQueueStatus, readonly AlertStatus[]> = {
  open: ['open'],
  false_positive_proposed: ['false_positive_proposed'],
  closed: ['false_positive', 'confirmed'],
  all: ALERT_STATUSES,
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MICROS_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** Opaque to clients: the position (raised_at to the microsecond, id) of the last alert of a page. */
const encodeCursor = (row: AlertQueueRow) => Buffer.from(`${row.position}_${row.id}`).toString('base64url');

function decodeCursor(cursor: string): AlertQueuePosition {
  const [raisedAt, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('_');
  if (rest.length > 0 || !MICROS_UTC.test(raisedAt ?? '') || !UUID.test(id ?? '') || Number.isNaN(Date.parse(raisedAt))) {
    throw new BadRequestException({ statusCode: 400, code: 'BAD_CURSOR', message: 'cursor is not a cursor this API issued' });
  }
  return { raisedAt, id };
}

/** The alert's summary as the API shows it: one place for the list and the single alert. */
const shownSummary = (row: Pick<AlertRow, 'summary'>): string => row.summary;

/** An alert in the queue: nothing `GET /alerts/:id` would not show (no details, hit keys or notes). */
export function toSummary(row: AlertQueueRow): AlertSummary {
  const review = row.reviewed_at ? reviewersOf(row) : undefined;
  return {
    id: row.id,
    kind: row.kind,
    severity: row.severity,
    status: row.status,
    subjectRef: row.subject_ref,
    sessionId: row.session_id,
    screeningId: row.screening_id,
    summary: shownSummary(row),
    raisedAt: new Date(row.raised_at).toISOString(),
    reviewedBy: review?.by ?? null,
    reviewedAt: review?.at ?? null,
  };
}

export function toView(row: AlertRow): AlertView {
  return {
    id: row.id,
    kind: row.kind,
    severity: row.severity,
    status: row.status,
    subjectRef: row.subject_ref,
    sessionId: row.session_id ?? undefined,
    screeningId: row.screening_id ?? undefined,
    summary: shownSummary(row),
    hitKeys: row.hit_keys,
    details: row.details,
    raisedAt: new Date(row.raised_at).toISOString(),
    review: row.reviewed_at ? reviewOf(row) : undefined,
    proposal:
      row.status === 'false_positive_proposed' && row.proposed_by && row.proposed_at
        ? { decision: 'false_positive', by: row.proposed_by, at: new Date(row.proposed_at).toISOString(), note: row.proposal_note ?? '' }
        : undefined,
  };
}

/** Who decided: for a cleared sanctions match, the proposer, and the second reviewer who made it take effect. */
function reviewOf(row: AlertRow): NonNullable<AlertView['review']> {
  return { ...reviewersOf(row), note: row.note ?? undefined };
}

function reviewersOf(row: Pick<AlertRow, 'status' | 'proposed_by' | 'reviewed_by' | 'reviewed_at'>): { by: string; secondReviewer?: string; at: string } {
  const at = new Date(row.reviewed_at as Date).toISOString();
  if (row.status === 'false_positive' && row.proposed_by) return { by: row.proposed_by, secondReviewer: row.reviewed_by ?? undefined, at };
  return { by: row.reviewed_by ?? '', at };
}
