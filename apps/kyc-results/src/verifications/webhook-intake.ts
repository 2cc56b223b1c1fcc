import { Inject, Injectable, Optional } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DataKeyDestroyedError, isSealed, openValue, sealedKeyId, type DomainEvent, type WebhookReceivedData } from '@compliance/contracts';
import { PermanentEventError } from '@compliance/messaging';
import type { Keyring } from '@compliance/persistence';
import { KEYRING } from '@compliance/platform';
import { payloadFingerprint } from '../providers/payload-fingerprint';
import { adaptWebhook } from '../providers/provider-adapter';
import { MalformedPayloadError, type AdaptedWebhook } from '../providers/verification-report';
import { verificationMetrics } from './verification.metrics';
import { VerificationRecorder, type RecordOutcome, type ReportToRecord } from './verification-recorder';

type Ignored = Extract<AdaptedWebhook, { kind: 'ignored' }>;

/** Takes `webhook.received` events: adapts the payloads, records verification reports, counts the rest. */
@Injectable()
export class WebhookIntake {
  constructor(
    private readonly recorder: VerificationRecorder,
    @Optional() @Inject(KEYRING) private readonly keyring: Keyring | null = null,
  ) {}

  /**
   * Several events, applied in list order with the result of receiving them one by one. A malformed
   * payload fails the whole call (the runtime then replays the events one by one, so only that one
   * is dead-lettered).
   */
  async receiveAll(events: Array<DomainEvent<WebhookReceivedData>>, manager: EntityManager): Promise<Array<RecordOutcome | 'ignored'>> {
    const payloads = await this.openPayloads(events);
    const adapted = events.map((event, i) => {
      const payload = payloads[i];
      return payload === ERASED ? erasedWebhook(event) : adapt({ ...event, data: { ...event.data, payload } });
    });
    const reports: ReportToRecord[] = [];
    adapted.forEach((a, i) => {
      if (a.kind === 'report') reports.push({ report: a.report, received: receivedOf(events[i], payloads[i] as Record<string, unknown>) });
    });
    const recorded = await this.recorder.recordAll(manager, reports);
    for (const a of adapted) if (a.kind === 'ignored') countIgnored(a);
    return adapted.map((a) => (a.kind === 'ignored' ? 'ignored' : (recorded.shift() as RecordOutcome)));
  }

  /**
   * The payloads in clear: sealed ones opened with their data keys (one keyring round trip for the
   * fetch). A destroyed key means the person was erased: nothing of theirs can be read or recorded.
   * A sealed payload without a keyring, or whose key is missing from it, no retry can fix: dead-lettered
   * with the reason.
   */
  private async openPayloads(events: Array<DomainEvent<WebhookReceivedData>>): Promise<Array<Record<string, unknown> | typeof ERASED>> {
    const sealed = events.filter((e) => isSealed(e.data.payload));
    if (sealed.length === 0) return events.map((e) => e.data.payload as Record<string, unknown>);
    if (!this.keyring) throw new PermanentEventError('webhook payload is sealed but no keyring is configured (KEYRING_MASTER_KEY)', 'KEYRING_NOT_CONFIGURED');
    const keys = await this.keyring.dataKeys(sealed.map((e) => sealedKeyId(e.data.payload as string)));
    return events.map((e) => {
      const payload = e.data.payload;
      if (!isSealed(payload)) return payload;
      const key = keys.get(sealedKeyId(payload));
      if (key instanceof DataKeyDestroyedError) return ERASED;
      if (key instanceof Error) throw new PermanentEventError(key.message, (key as Error & { code?: string }).code ?? 'DATA_KEY_UNAVAILABLE');
      try {
        return openValue<Record<string, unknown>>(payload, key as Buffer, e.id, 'payload');
      } catch (err) {
        throw new PermanentEventError((err as Error).message, 'SEALED_VALUE_INVALID');
      }
    });
  }
}

const ERASED = Symbol('erased');

/** A webhook sealed under a destroyed key: its person was erased; counted, never recorded. */
function erasedWebhook(event: DomainEvent<WebhookReceivedData>): AdaptedWebhook {
  return { kind: 'ignored', source: event.data.source, webhookType: event.data.webhookType ?? 'unknown', reason: 'subject_erased' };
}

function adapt(event: DomainEvent<WebhookReceivedData>): AdaptedWebhook {
  try {
    return adaptWebhook(event.data.source, event.data.payload as Record<string, unknown>);
  } catch (err) {
    // Retrying cannot fix a malformed payload: straight to the DLQ, with the reason and no values.
    if (err instanceof MalformedPayloadError) throw new PermanentEventError(err.message, err.code);
    throw err;
  }
}

function receivedOf(event: DomainEvent<WebhookReceivedData>, payload: Record<string, unknown>): ReportToRecord['received'] {
  return {
    eventId: event.id,
    deliveryId: event.data.deliveryId,
    fingerprint: event.data.fingerprint ?? payloadFingerprint(payload),
    receivedAt: new Date(event.data.receivedAt),
    traceparent: event.traceparent,
  };
}

function countIgnored(ignored: Ignored): void {
  verificationMetrics.ignoredWebhooks.inc({ source: ignored.source, webhook_type: ignored.webhookType.slice(0, 60), reason: ignored.reason });
}
