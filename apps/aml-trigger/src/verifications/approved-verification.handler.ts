import { Inject, Injectable, Optional } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { KycVerificationData } from '@compliance/contracts';
import type { EntityManager } from 'typeorm';
import type { EventBatchItem } from '@compliance/messaging';
import { PiiCipher, type Keyring } from '@compliance/persistence';
import { ERASED, KEYRING, openEvents } from '@compliance/platform';
import { identityOwnerOf, IdentitySealing } from '../pii/identity-sealing';
import { subjectSealContext, upsertMonitoredSubjects, type VerifiedIdentity } from '../monitoring/monitored-subject.repository';
import { ScreeningProvider } from '../provider/screening-provider';
import type { ScreeningOrder } from '../screenings/screening-orders';
import { identityFingerprint } from '../screenings/screening.types';
import { ScreeningsService } from '../screenings/screenings.service';
import { approvalDedupeKey, planApproval } from './approval-plan';
import { ErasureTombstones } from '../retention/erasure-tombstones';
import { Counter } from 'prom-client';
import { metricOnce } from '@compliance/observability';

const erasedSubjectEvents = metricOnce(
  'aml_erased_subject_events_total',
  () => new Counter({ name: 'aml_erased_subject_events_total', help: 'Approvals about an erased subject or session, ignored (no screening, no monitoring)' }),
);

/**
 * Verifications approved, or whose identity data changed while approved, a fetch at a time: screen
 * each person once per (session, list version set, identity), keep them under monitoring, and record
 * the provider's own AML summary when a verification carried one. The same rows and events as
 * applying the approvals one by one, in a constant number of statements.
 */
@Injectable()
export class ApprovedVerificationHandler {
  constructor(
    private readonly screenings: ScreeningsService,
    private readonly provider: ScreeningProvider,
    private readonly cipher: PiiCipher,
    private readonly sealing: IdentitySealing,
    private readonly tombstones: ErasureTombstones,
    private readonly logger: PinoLogger,
    @Optional() @Inject(KEYRING) private readonly keyring: Keyring | null = null,
  ) {}

  async handleBatch(items: EventBatchItem[], m: EntityManager): Promise<void> {
    const listSet = this.provider.listSetKey();
    const orders: ScreeningOrder[] = [];
    const verified: VerifiedIdentity[] = [];
    const toSeal: Parameters<IdentitySealing['sealAll']>[0] = [];
    // An approval about an erased subject or session (it arrived after the erasure: consumer lag, a
    // retry, an outbox row sent late) is recorded in the inbox only: no screening, no monitoring.
    const erased = await this.tombstones.erasedAmong(m, items.map(({ event }) => event.data as KycVerificationData));
    // The identity arrives sealed under the person's data key; one destroyed by an erasure counts as erased too.
    const opened = await openEvents(this.keyring, items.map(({ event }) => event));
    opened.forEach((e, i) => {
      if (e === ERASED) erased.add(i);
    });
    if (erased.size > 0) {
      erasedSubjectEvents.inc(erased.size);
      this.logger.info({ events: erased.size }, 'approvals about erased subjects ignored');
    }
    for (const [i, event] of opened.entries()) {
      if (erased.has(i) || event === ERASED) continue;
      const plan = planApproval(event);
      if (plan.providerSummary) orders.push(plan.providerSummary);
      if (plan.unscreenable) orders.push(plan.unscreenable);
      if (!plan.screen) continue;
      const { request, verifiedAt } = plan.screen;
      const digest = this.cipher.digest(identityFingerprint(request.identity));
      orders.push({ kind: 'screen', request: { ...request, dedupeKey: approvalDedupeKey(request.sessionId, listSet, digest) } });
      verified.push({
        subjectRef: request.subjectRef,
        sessionId: request.sessionId as string,
        identitySealed: '',
        identityDigest: digest,
        verifiedAt,
      });
      toSeal.push({ value: request.identity, owner: identityOwnerOf(request.subjectRef, request.sessionId), context: subjectSealContext(request.subjectRef) });
    }
    // At rest under the person's data key too (crypto-shredding), one keyring round trip for the fetch.
    (await this.sealing.sealAll(toSeal)).forEach((sealed, i) => (verified[i].identitySealed = sealed));
    // With an inline screener each identity is screened against this list set (below, or before: a duplicate),
    // so a subject row it updates records the set, as one by one.
    await upsertMonitoredSubjects(m, verified, this.provider.inline ? listSet : null);
    await this.screenings.requestMany(m, orders);
  }
}
