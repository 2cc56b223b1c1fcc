import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { kycEventType, type DomainEvent, type KycVerificationData } from '@compliance/contracts';
import { markScreened, subjectSealContext, upsertMonitoredSubject } from '../monitoring/monitored-subject.repository';
import { PiiCipher } from '@compliance/persistence';
import { ScreeningProvider } from '../provider/screening-provider';
import { identityFingerprint, type ScreeningIdentity } from '../screenings/screening.types';
import { ScreeningsService } from '../screenings/screenings.service';

const APPROVED = kycEventType('approved');

/**
 * A verification approved, or its identity data changed while approved: screen the person once per
 * (session, list version set, identity), keep them under monitoring, and record the provider's own
 * AML summary when the verification carried one.
 */
@Injectable()
export class ApprovedVerificationHandler {
  constructor(
    private readonly screenings: ScreeningsService,
    private readonly provider: ScreeningProvider,
    private readonly cipher: PiiCipher,
  ) {}

  async handle(event: DomainEvent, m: EntityManager): Promise<void> {
    if (event.type !== APPROVED) return;
    const data = event.data as KycVerificationData;
    const subjectRef = data.subjectRef ?? data.sessionId;
    const trigger = data.change === 'data_updated' ? 'identity_update' : 'approval';
    const base = { subjectRef, sessionId: data.sessionId, trigger, traceparent: event.traceparent } as const;
    if (data.decision?.providerAml) {
      await this.screenings.recordProviderSummary(m, { subjectRef, sessionId: data.sessionId, summary: data.decision.providerAml, traceparent: event.traceparent });
    }
    const identity = data.identity?.fullName?.trim() ? toIdentity(data.identity) : undefined;
    if (!identity) {
      // A data update without identity changed nothing screenable (or follows an erasure).
      if (data.change === 'data_updated') return;
      const reason = 'the approved verification carries no name to screen';
      await this.screenings.recordUnscreenable(m, { ...base, dedupeKey: `unscreenable:${data.sessionId}:${trigger}` }, reason);
      return;
    }
    const digest = this.cipher.digest(identityFingerprint(identity));
    const current = await upsertMonitoredSubject(m, {
      subjectRef,
      sessionId: data.sessionId,
      identitySealed: this.cipher.sealJson(identity, subjectSealContext(subjectRef)),
      identityDigest: digest,
      verifiedAt: data.occurredAt,
    });
    const listSet = this.provider.listSetKey();
    await this.screenings.request(m, { ...base, identity, dedupeKey: `session:${data.sessionId}:${listSet}:${digest}` });
    if (current && this.provider.inline) await markScreened(m, subjectRef, listSet, digest);
  }
}

/** Only the attributes screening uses; empty strings count as absent. */
function toIdentity(i: NonNullable<KycVerificationData['identity']>): ScreeningIdentity {
  const clean = (v?: string) => (v && v.trim() ? v.trim() : undefined);
  return { fullName: i.fullName.trim(), dateOfBirth: clean(i.dateOfBirth), nationality: clean(i.nationality), documentNumber: clean(i.documentNumber) };
}
