import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ErasureTombstones, type ErasedKeys } from '../retention/erasure-tombstones';
import { deleteIdentities, upsertIdentities } from './identity-record.repository';
import { identityOwner, IdentityVault } from './identity-vault';
import type { IdentityAttributes } from '../providers/verification-report';
import { bySession, inBatchOrder, planSession, type ReceivedWebhook, type RecordOutcome, type ReportToRecord, type SessionPlan, type StoredSession } from './recording-plan';
import { insertHistory } from './status-history.repository';
import { announceAll } from './verification-events';
import { insertSessions, lockSessions, updateSessions } from './verification-session.repository';
import { verificationMetrics } from './verification.metrics';
import type { VerificationReport } from '../providers/verification-report';

export { SessionNotYetKnownError, type ReceivedWebhook, type RecordOutcome, type ReportToRecord } from './recording-plan';

/**
 * Records provider reports a batch at a time: locks the batch's sessions (key order, so concurrent
 * consumers serialise per session) and looks up the erasure tombstones of their ids and subjects in
 * the same read, applies each session's reports in list order in memory, then writes sessions,
 * identities, history and the announcements with one statement each, all in the caller's
 * transaction. The result is the one of recording the reports one by one.
 */
@Injectable()
export class VerificationRecorder {
  constructor(
    private readonly vault: IdentityVault,
    private readonly tombstones: ErasureTombstones,
  ) {}

  async record(m: EntityManager, report: VerificationReport, received: ReceivedWebhook): Promise<RecordOutcome> {
    const [outcome] = await this.recordAll(m, [{ report, received }]);
    return outcome;
  }

  /** The outcome of each report, in list order. */
  async recordAll(m: EntityManager, items: ReportToRecord[]): Promise<RecordOutcome[]> {
    if (items.length === 0) return [];
    const groups = bySession(items);
    const fingerprints = items.map((i) => i.received.fingerprint);
    const subjects = new Set(items.flatMap((i) => (i.report.subjectRef ? [i.report.subjectRef] : [])));
    const lookup = this.tombstones.lookup({ sessions: groups.keys(), subjects });
    const { sessions: stored, tombstones } = await lockSessions(m, [...groups.keys()], fingerprints, lookup.digests);
    const erased = await this.withStoredSubjects(m, lookup.resolve(tombstones), stored, subjects);
    // The data keys the stored identities are sealed under (crypto-shredding), fetched once for the batch.
    let vault = await this.vault.forBatch([...stored.values()].map((s) => s.identity));
    unreadable(stored, vault);
    const plans = new Map([...groups].map(([id, reports]) => [id, planSession(stored.get(id), reports, vault, erased)]));
    const created = [...plans.values()].filter((p) => !p.existed && p.touched).sort((a, b) => a.outcomes[0].index - b.outcomes[0].index);
    const lost = await insertSessions(m, created.map((p) => p.session));
    if (lost.length > 0) {
      // Another consumer created these sessions since they were read: now they exist, lock them and apply again.
      const existing = await lockSessions(m, lost, fingerprints);
      const again = await this.withStoredSubjects(m, erased, existing.sessions, subjects);
      vault = await this.vault.forBatch([...stored.values(), ...existing.sessions.values()].map((s) => s.identity));
      unreadable(existing.sessions, vault);
      for (const id of lost) {
        if (!existing.sessions.has(id)) throw new Error(`session ${id} could neither be created nor locked`);
        plans.set(id, planSession(existing.sessions.get(id), groups.get(id) ?? [], vault, again));
      }
    }
    const all = [...plans.values()];
    await updateSessions(m, all.filter((p) => p.existed && p.touched).map((p) => p.session));
    const forgotten = all.filter((p) => p.forgetIdentity).map((p) => p.session.sessionId);
    if (forgotten.length > 0) await deleteIdentities(m, forgotten);
    const storing = all.filter((p) => p.identity);
    const owners = storing.map((p) => identityOwner(p.session.sessionId, p.session.subjectRef));
    await vault.issueFor(owners);
    await upsertIdentities(m, storing.map((p, i) => vault.seal(p.session.sessionId, p.identity as IdentityAttributes, owners[i])));
    await insertHistory(m, inBatchOrder(all.map((p) => p.history)).map((h) => h.row));
    await announceAll(m, inBatchOrder(all.map((p) => p.events)).map((e) => e.event));
    return this.outcomes(all, items);
  }

  /**
   * Adds the tombstones of stored sessions' subjects that no report of the batch names (a session a
   * report tied to a subject while that subject was being erased): one more read, only then.
   */
  private async withStoredSubjects(m: EntityManager, erased: ErasedKeys, stored: Map<string, StoredSession>, lookedUp: Set<string>): Promise<ErasedKeys> {
    const more = [...stored.values()].flatMap(({ session }) => (session.subjectRef && !session.erasedAt && !lookedUp.has(session.subjectRef) ? [session.subjectRef] : []));
    return more.length > 0 ? erased.with(await this.tombstones.erasedAmong(m, { subjects: more, sessions: [] })) : erased;
  }

  private outcomes(plans: SessionPlan[], items: ReportToRecord[]): RecordOutcome[] {
    const outcomes = inBatchOrder(plans.map((p) => p.outcomes));
    for (const { index, outcome } of outcomes) {
      const { provider } = items[index].report;
      if (outcome === 'duplicate') verificationMetrics.duplicates.inc({ provider });
      if (outcome === 'stale') verificationMetrics.stale.inc({ provider });
    }
    return outcomes.map((o) => o.outcome);
  }
}

/**
 * A stored identity sealed under a destroyed data key (its person's erasure was ordered; the erasure
 * command has not reached this service yet) reads as absent: it cannot be compared or announced, and
 * the erasure deletes the row.
 */
function unreadable(stored: Map<string, StoredSession>, vault: IdentityVault): void {
  for (const s of stored.values()) if (s.identity && vault.destroyedKeyOf(s.identity)) s.identity = undefined;
}
