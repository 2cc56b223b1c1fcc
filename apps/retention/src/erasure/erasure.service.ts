import { ConflictException, Inject, Injectable, NotFoundException, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { DATA_HOLDING_SERVICES, EventSources, EventTypes, newEvent, Topics, type ErasureFinishedData, type ErasureRequestedData } from '@compliance/contracts';
import { addToOutbox } from '@compliance/messaging';
import type { Keyring } from '@compliance/persistence';
import { KEYRING, sealEvents } from '@compliance/platform';
import { Clock } from '../clock/clock';
import { activeHoldFor } from '../legal-holds/legal-hold.repository';
import { LifecycleService } from '../lifecycle/lifecycle.service';
import { RetentionConfig } from '../retention.config';
import { retentionMetrics } from '../retention.metrics';
import { isUuid, lockSubject } from '../sql';
import type { ErasureReceipt } from './erasure.dto';
import {
  blockedByEndedHold,
  findRequest,
  insertRequest,
  lockBlockedRequest,
  lockRequest,
  markDispatched,
  markWithdrawn,
  openRequestOf,
  setBlockingHold,
  type ErasureRequestRow,
} from './erasure-request.repository';

/**
 * Erasure requests (GDPR art. 17): at most one open per subject; blocked while a legal hold is in
 * force and carried out automatically once none is; otherwise sent to every data-holding service.
 */
@Injectable()
export class ErasureService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly config: RetentionConfig,
    private readonly lifecycle: LifecycleService,
    @Optional() @Inject(KEYRING) private readonly keyring: Keyring | null,
  ) {}

  async create(subjectRef: string, reason: string, requestedBy: string): Promise<ErasureReceipt> {
    const receipt = await this.ds.transaction(async (m) => {
      await lockSubject(m, subjectRef);
      const open = await openRequestOf(m, subjectRef);
      if (open) return { id: open.id, status: open.status, repeated: true, legalHoldId: open.legal_hold_id ?? undefined };
      const now = this.clock.now();
      const id = randomUUID();
      const hold = await activeHoldFor(m, subjectRef, now);
      await insertRequest(m, {
        id,
        subjectRef,
        reason,
        status: hold ? 'blocked_by_legal_hold' : 'in_progress',
        legalHoldId: hold?.id ?? null,
        expectedServices: [...DATA_HOLDING_SERVICES],
        requestedBy,
        requestedAt: now,
      });
      if (hold) await this.announceEnd(m, { id, subjectRef, status: 'blocked_by_legal_hold', legalHoldId: hold.id }, now);
      else await this.dispatch(m, id, now);
      return { id, status: hold ? 'blocked_by_legal_hold' : 'in_progress', repeated: false, legalHoldId: hold?.id } as ErasureReceipt;
    });
    retentionMetrics.erasureRequests.inc({ outcome: receipt.repeated ? 'repeated' : receipt.status === 'in_progress' ? 'dispatched' : 'blocked' });
    return receipt;
  }

  /**
   * Blocked requests whose hold has ended (lifted, or `until` passed): pointed at the next hold in
   * force, or carried out now. Returns the ids carried out.
   */
  async releaseBlocked(now: Date, subjectRef?: string): Promise<string[]> {
    const candidates = await blockedByEndedHold(this.ds, now, subjectRef);
    const released: string[] = [];
    for (const c of candidates) if (await this.releaseOne(c.id, c.subject_ref, now)) released.push(c.id);
    return released;
  }

  /** Only a request still waiting for a hold can be withdrawn: a dispatched erasure cannot be recalled. */
  async withdraw(id: string): Promise<ErasureReceipt> {
    return this.ds.transaction(async (m) => {
      const row = isUuid(id) ? await lockRequest(m, id) : undefined;
      if (!row) throw new NotFoundException({ statusCode: 404, code: 'ERASURE_REQUEST_NOT_FOUND', message: `no erasure request ${id}` });
      if (row.status === 'withdrawn') return { id, status: row.status, repeated: true };
      if (row.status !== 'blocked_by_legal_hold') {
        throw new ConflictException({ statusCode: 409, code: 'ERASURE_NOT_WITHDRAWABLE', message: `erasure request ${id} is ${row.status}; only a request blocked by a legal hold can be withdrawn` });
      }
      const now = this.clock.now();
      await markWithdrawn(m, id, now);
      await this.announceEnd(m, { id, subjectRef: row.subject_ref, status: 'withdrawn', legalHoldId: row.legal_hold_id ?? undefined }, now);
      return { id, status: 'withdrawn', repeated: false };
    });
  }

  private releaseOne(id: string, subjectRef: string, now: Date): Promise<boolean> {
    return this.ds.transaction(async (m) => {
      await lockSubject(m, subjectRef);
      if (!(await lockBlockedRequest(m, id))) return false;
      const hold = await activeHoldFor(m, subjectRef, now);
      if (hold) {
        await setBlockingHold(m, id, hold.id);
        return false;
      }
      await this.dispatch(m, id, now);
      return true;
    });
  }

  /** Sends the command to every data-holding service, with the sessions known for the subject now. */
  private async dispatch(m: EntityManager, id: string, now: Date): Promise<void> {
    // The request is written or locked earlier in this transaction.
    const row = (await findRequest(m, id)) as ErasureRequestRow;
    const sessionIds = await this.lifecycle.sessionsOf(m, row.subject_ref);
    const data: ErasureRequestedData = {
      requestId: id,
      subjectRef: row.subject_ref,
      reason: row.reason,
      expectedServices: row.expected_services,
      sessionIds,
      requestedAt: row.requested_at.toISOString(),
    };
    const event = newEvent({ type: EventTypes.RetentionErasureRequested, source: EventSources.Retention, subject: row.subject_ref, data, time: now });
    // The reason is free text and may name the person: sealed under the subject's key before that key
    // is destroyed below, so on the topic it is readable by no one (the request here keeps it).
    await sealEvents(this.keyring, [{ event, owner: { subjectRef: row.subject_ref }, paths: ['reason'] }]);
    // Crypto-shredding: the person's data keys go in the same transaction that orders the erasure (no
    // hold is in force here), so every sealed copy — on every topic, in retry and dead-letter topics,
    // in backups — is unreadable from this commit on. The services still delete their rows.
    const keysDestroyed = this.keyring ? await this.keyring.destroy({ subjectRefs: [row.subject_ref], sessionIds }, m) : null;
    await markDispatched(m, id, sessionIds, now, this.config.providerDeletionEnabled, keysDestroyed);
    await addToOutbox(m, Topics.RetentionCommands, row.subject_ref, event);
  }

  private async announceEnd(m: EntityManager, r: { id: string; subjectRef: string; status: string; legalHoldId?: string }, now: Date): Promise<void> {
    const data: ErasureFinishedData = { requestId: r.id, subjectRef: r.subjectRef, status: r.status, legalHoldId: r.legalHoldId, services: [], finishedAt: now.toISOString() };
    const event = newEvent({ type: EventTypes.RetentionErasureFinished, source: EventSources.Retention, subject: r.subjectRef, data, time: now });
    await addToOutbox(m, Topics.RetentionEvents, r.subjectRef, event);
  }
}
