import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  EventSources,
  Topics,
  type DomainEvent,
  type ErasureRequestedData,
  type PurgeDueData,
  ownsPurge,
} from '@compliance/contracts';
import { confirmErasure, confirmPurge, deleteSentOutbox, redactUnsentOutbox } from '@compliance/messaging';
import { SERVICE_NAME } from '../service-name';
import { deleteIdentities } from '../verifications/identity-record.repository';
import { deleteHistory } from '../verifications/status-history.repository';
import { deleteSessions, eraseSessions, lockSessionsDueForPurge, lockSessionsOfSubject } from '../verifications/verification-session.repository';
import { ErasureTombstones } from './erasure-tombstones';

const PARTY = { service: SERVICE_NAME, source: EventSources.KycResults };

/** What an erasure takes out of kyc.verifications.v1 events not published yet: the person, as it does from the session. */
const ERASED_EVENT_FIELDS = ['identity', 'subjectRef', 'decision'];

/**
 * kyc-results' part of the retention protocol: erase a subject's personal data on request, purge
 * verification_data whose clock has run out, and confirm each on retention.events.v1 in the same
 * transaction. Repeating a command is harmless (counts 0).
 */
@Injectable()
export class RetentionCommandsService {
  constructor(private readonly tombstones: ErasureTombstones) {}

  async erase(m: EntityManager, command: DomainEvent<ErasureRequestedData>): Promise<void> {
    const { requestId, subjectRef, sessionIds = [] } = command.data;
    const ids = await lockSessionsOfSubject(m, subjectRef, sessionIds);
    // Sessions named but not recorded yet (their webhooks still on the way) are erased when they come.
    const sessions = [...new Set([...ids, ...sessionIds])];
    const counts = {
      identity_attributes: await deleteIdentities(m, ids),
      // Status and times stay (not personal); the subject reference and the biometric-derived summary go.
      verification_sessions: await eraseSessions(m, ids),
      outbox: await deleteSentOutbox(m, [...sessions, subjectRef]),
      // Events not published yet go out without the person.
      outbox_redacted: await redactUnsentOutbox(m, { topic: Topics.KycVerifications, keys: sessions, fields: ERASED_EVENT_FIELDS }),
      // Digests only: a webhook about this subject or these sessions that comes later is recorded without the person.
      tombstones: await this.tombstones.record(m, requestId, subjectRef, sessions),
    };
    await confirmErasure(m, PARTY, command, counts);
  }

  async purge(m: EntityManager, command: DomainEvent<PurgeDueData>): Promise<void> {
    const { category, subjectRef, sessionId, clockStartedBefore } = command.data;
    if (!ownsPurge(SERVICE_NAME, category)) return;
    const ids = await lockSessionsDueForPurge(m, { clockStartedBefore, sessionId: sessionId ?? null, subjectRef: subjectRef ?? null });
    const counts = {
      identity_attributes: await deleteIdentities(m, ids),
      verification_status_history: await deleteHistory(m, ids),
      verification_sessions: await deleteSessions(m, ids),
      outbox: await deleteSentOutbox(m, ids),
    };
    await confirmPurge(m, PARTY, command, counts);
  }
}
