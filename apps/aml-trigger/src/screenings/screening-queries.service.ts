import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DataKeyMissingError, EventSources, EventTypes, newEvent, Topics, type AmlIdentityAccessedData } from '@compliance/contracts';
import { addToOutbox, OutboxRelay } from '@compliance/messaging';
import { maskDateOfBirth, maskDocumentNumber, maskName, rethrowForHttp, type IdentityVisibility, type Principal } from '@compliance/platform';
import { alertIdsByScreening } from '../alerts/alert.repository';
import { isMonitored } from '../monitoring/monitored-subject.repository';
import { IdentitySealing } from '../pii/identity-sealing';
import { findScreening, screeningsOfSubject, type ScreeningRow } from './screening.repository';
import type { ScreeningView } from './screenings.dto';
import { sealContext } from './screenings.service';

/** Who reads, and how much of the input identity they are shown. */
export interface InputReader {
  visibility: IdentityVisibility;
  reader: Principal;
  /** False only where the reader supplied the identity themselves (an ad hoc screening's answer). */
  recordAccess?: boolean;
  /** Why the reader unmasks the identity (`?reason=`), recorded with the access. */
  reason?: string;
}

type Input = Record<string, string | undefined>;

/** The input identity as an analyst sees it: enough to recognise a case, not the data. */
function maskedInput(input: Input): Input {
  const view: Input = {};
  if (input.fullName) view.fullName = maskName(input.fullName);
  if (input.dateOfBirth) view.dateOfBirth = maskDateOfBirth(input.dateOfBirth);
  if (input.nationality) view.nationality = input.nationality;
  if (input.documentNumber) view.documentNumber = maskDocumentNumber(input.documentNumber);
  return view;
}

/**
 * Read side of screenings for the HTTP API. The identity a screening was run with is shown per the
 * caller's role, as kyc-results shows a verification's: masked for analysts unless they unmask it with
 * a reason; unmasked for auditors and admins; an unmasked one only once the access is recorded
 * (`aml.identity.accessed`, with the reason when one was given, chained into the audit trail).
 * Hit names are kept sealed under the person's data key and shown opened ("[erased]" once the key was
 * destroyed). A screening whose data key is missing from the keyring is answered 409 DATA_KEY_MISSING.
 */
@Injectable()
export class ScreeningQueries {
  constructor(
    private readonly dataSource: DataSource,
    private readonly sealing: IdentitySealing,
    private readonly relay: OutboxRelay,
  ) {}

  async byId(id: string, reader: InputReader): Promise<ScreeningView> {
    const row = await findScreening(this.dataSource, id);
    if (!row) throw new NotFoundException({ statusCode: 404, code: 'SCREENING_NOT_FOUND', message: `no screening ${id}` });
    return (await this.withAlerts([row], reader))[0];
  }

  async ofSubject(subjectRef: string, reader: InputReader): Promise<{ subjectRef: string; monitored: boolean; screenings: ScreeningView[] }> {
    const rows = await screeningsOfSubject(this.dataSource, subjectRef);
    const monitored = await isMonitored(this.dataSource, subjectRef);
    return { subjectRef, monitored, screenings: await this.withAlerts(rows, reader) };
  }

  private async withAlerts(sealed: ScreeningRow[], reader: InputReader): Promise<ScreeningView[]> {
    const rows = await this.withHitNames(sealed).catch(rethrowForHttp);
    const alerts = await alertIdsByScreening(this.dataSource, rows.map((r) => r.id));
    const inputs = await Promise.all(rows.map((row) => this.input(row))).catch(rethrowForHttp);
    if (reader.visibility === 'full' && reader.recordAccess !== false) await this.recordAccess(rows, inputs, reader);
    return rows.map((row, i) => {
      const input = inputs[i];
      return this.toView(row, alerts.get(row.id) ?? [], input && reader.visibility === 'masked' ? maskedInput(input) : input, reader.visibility);
    });
  }

  /** One access event for the screenings whose identity is about to be shown, before it is answered. */
  private async recordAccess(rows: ScreeningRow[], inputs: Array<Input | null>, { reader, reason }: InputReader): Promise<void> {
    const shown = rows.filter((_, i) => inputs[i]);
    if (shown.length === 0) return;
    const fields = [...new Set(inputs.flatMap((input) => Object.keys(input ?? {}).filter((k) => input?.[k] !== undefined)))].sort();
    const sessionIds = [...new Set(shown.map((r) => r.session_id).filter((s): s is string => Boolean(s)))];
    const data: AmlIdentityAccessedData = {
      subjectRef: shown[0].subject_ref,
      ...(sessionIds.length === 1 ? { sessionId: sessionIds[0] } : {}),
      screeningIds: shown.map((r) => r.id),
      accessedBy: reader.name,
      role: reader.role,
      fields,
      accessedAt: new Date().toISOString(),
      ...(reason ? { reason } : {}),
    };
    const key = data.sessionId ?? data.subjectRef;
    const event = newEvent({ type: EventTypes.AmlIdentityAccessed, source: EventSources.AmlTrigger, subject: key, time: data.accessedAt, data });
    await this.dataSource.transaction((m) => addToOutbox(m, Topics.AmlScreenings, key, event));
    this.relay.kick();
  }

  private toView(row: ScreeningRow, alertIds: string[], input: Input | null, inputVisibility: IdentityVisibility): ScreeningView {
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
      input,
      inputVisibility,
      erasedAt: row.erased_at?.toISOString(),
      alertIds,
    };
  }

  /** The rows with their hit names opened; throws DataKeyMissingError when a key is missing. */
  private async withHitNames(rows: ScreeningRow[]): Promise<ScreeningRow[]> {
    const opened = await this.sealing.openFields(rows.map((r) => ({ data: { hits: r.hits }, context: sealContext(r.id) })));
    return rows.map((r, i) => {
      const o = opened[i];
      if (o instanceof DataKeyMissingError) throw o;
      return { ...r, hits: o.hits };
    });
  }

  /**
   * The screened identity, or null when there is none, it cannot be decrypted, or its data key was
   * destroyed (erased). Throws DataKeyMissingError when the keyring lacks its data key.
   */
  private async input(row: ScreeningRow): Promise<Input | null> {
    if (!row.input_sealed) return null;
    try {
      return (await this.sealing.open<Input>(row.input_sealed, sealContext(row.id))) ?? null;
    } catch (err) {
      if (err instanceof DataKeyMissingError) throw err;
      return null;
    }
  }
}
