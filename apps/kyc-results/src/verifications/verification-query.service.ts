import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isTerminalKycStatus } from '@compliance/contracts';
import { OutboxRelay } from '@compliance/messaging';
import { rethrowForHttp, type Principal } from '@compliance/platform';
import { IdentityVault } from './identity-vault';
import { identityView } from './identity-view';
import { historyOfSession, type StatusHistoryEntry } from './status-history.repository';
import { decisionSummaryOf, recordIdentityAccess } from './verification-events';
import { findSession, sessionsOfSubject, type RecordedSession } from './verification-session.repository';
import type { HistoryEntryView, IdentityVisibility, SubjectVerificationsPage, VerificationSummaryView, VerificationView } from './verifications.dto';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function summaryView(s: RecordedSession): VerificationSummaryView {
  return {
    sessionId: s.sessionId,
    provider: s.provider,
    subjectRef: s.subjectRef,
    workflowId: s.workflowId,
    status: s.status,
    providerStatus: s.providerStatus,
    previousStatus: s.previousStatus,
    terminal: isTerminalKycStatus(s.status),
    transitions: s.transitions,
    statusAt: s.statusAt.toISOString(),
    decidedAt: iso(s.decidedAt),
    firstEventAt: s.firstEventAt.toISOString(),
    lastEventAt: s.lastEventAt.toISOString(),
    decision: decisionSummaryOf(s) ?? null,
    erasedAt: iso(s.erasedAt),
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

function historyView(h: StatusHistoryEntry): HistoryEntryView {
  return {
    status: h.status,
    providerStatus: h.providerStatus,
    previousStatus: h.previousStatus,
    outcome: h.outcome,
    stale: h.stale,
    decisionApplied: h.decisionApplied,
    webhookType: h.webhookType,
    payloadVersion: h.payloadVersion,
    deliveryId: h.deliveryId,
    occurredAt: h.occurredAt.toISOString(),
    receivedAt: h.receivedAt.toISOString(),
  };
}

/** Opaque to clients: the insertion sequence of the last session on the page. */
const encodeCursor = (seq: string) => Buffer.from(`s${seq}`).toString('base64url');
function decodeCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^s\d{1,18}$/.test(text)) throw new BadRequestException({ statusCode: 400, code: 'BAD_CURSOR', message: 'cursor is not a cursor this API issued' });
  return text.slice(1);
}

/** Read side of the verification record, with personal data shown per the caller's role. */
@Injectable()
export class VerificationQueryService {
  constructor(
    private readonly ds: DataSource,
    private readonly vault: IdentityVault,
    private readonly relay: OutboxRelay,
  ) {}

  /**
   * An unmasked identity is shown only once the access is recorded (kyc.identity.accessed, via the
   * outbox), with the reason the reader gave for unmasking it, if any. An identity sealed under a data
   * key the keyring lacks (a lost row) is answered 409 DATA_KEY_MISSING, never shown in part.
   */
  async verification(sessionId: string, visibility: IdentityVisibility, reader: Principal, reason?: string): Promise<VerificationView> {
    const session = await findSession(this.ds, sessionId);
    if (!session) throw new NotFoundException({ statusCode: 404, code: 'VERIFICATION_NOT_FOUND', message: `no verification session ${sessionId}` });
    const [history, identity] = await Promise.all([historyOfSession(this.ds, sessionId), this.vault.load(this.ds, sessionId).catch(rethrowForHttp)]);
    if (identity && visibility === 'full') {
      const fields = Object.keys(identity).sort();
      await this.ds.transaction((m) => recordIdentityAccess(m, { session, accessedBy: reader.name, role: reader.role, reason, fields, at: new Date() }));
      this.relay.kick();
    }
    return {
      ...summaryView(session),
      identity: identity ? identityView(identity, visibility) : null,
      history: history.map(historyView),
    };
  }

  async subjectVerifications(subjectRef: string, limit: number, cursor?: string): Promise<SubjectVerificationsPage> {
    const rows = await sessionsOfSubject(this.ds, subjectRef, limit + 1, cursor ? decodeCursor(cursor) : undefined);
    if (rows.length === 0 && !cursor) {
      throw new NotFoundException({ statusCode: 404, code: 'SUBJECT_NOT_FOUND', message: `no verifications for subject ${subjectRef}` });
    }
    const page = rows.slice(0, limit);
    return { subjectRef, items: page.map(summaryView), nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].seq) : null };
  }
}

