import { Inject, Injectable, Optional } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DomainEvent, WebhookReceivedData } from '@compliance/contracts';
import { PermanentEventError } from '@compliance/messaging';
import type { Keyring } from '@compliance/persistence';
import { ERASED, KEYRING, openEvents } from '@compliance/platform';
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
    // Payloads sealed under the person's data key are opened (one keyring round trip for the fetch).
    const opened = await openEvents(this.keyring, events);
    const adapted = events.map((event, i) => {
      const clear = opened[i];
      return clear === ERASED ? erasedWebhook(event) : adapt(clear);
    });
    const reports: ReportToRecord[] = [];
    adapted.forEach((a, i) => {
      if (a.kind === 'report') reports.push({ report: a.report, received: receivedOf(events[i], (opened[i] as DomainEvent<WebhookReceivedData>).data.payload as Record<string, unknown>) });
    });
    const recorded = await this.recorder.recordAll(manager, reports);
    for (const a of adapted) if (a.kind === 'ignored') countIgnored(a);
    return adapted.map((a) => (a.kind === 'ignored' ? 'ignored' : (recorded.shift() as RecordOutcome)));
  }
}

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
