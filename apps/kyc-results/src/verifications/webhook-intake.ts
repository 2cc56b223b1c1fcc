import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DomainEvent, WebhookReceivedData } from '@compliance/contracts';
import { PermanentEventError } from '@compliance/messaging';
import { payloadFingerprint } from '../providers/payload-fingerprint';
import { adaptWebhook } from '../providers/provider-adapter';
import { MalformedPayloadError } from '../providers/verification-report';
import { verificationMetrics } from './verification.metrics';
import { VerificationRecorder, type RecordOutcome } from './verification-recorder';

/** Takes `webhook.received` events: adapts the payload, records verification reports, counts the rest. */
@Injectable()
export class WebhookIntake {
  constructor(private readonly recorder: VerificationRecorder) {}

  async receive(event: DomainEvent<WebhookReceivedData>, manager: EntityManager): Promise<RecordOutcome | 'ignored'> {
    const { source, payload } = event.data;
    let adapted;
    try {
      adapted = adaptWebhook(source, payload);
    } catch (err) {
      // Retrying cannot fix a malformed payload: straight to the DLQ, with the reason and no values.
      if (err instanceof MalformedPayloadError) throw new PermanentEventError(err.message, err.code);
      throw err;
    }
    if (adapted.kind === 'ignored') {
      verificationMetrics.ignoredWebhooks.inc({ source: adapted.source, webhook_type: adapted.webhookType.slice(0, 60), reason: adapted.reason });
      return 'ignored';
    }
    return this.recorder.record(manager, adapted.report, {
      eventId: event.id,
      deliveryId: event.data.deliveryId,
      fingerprint: event.data.fingerprint ?? payloadFingerprint(payload),
      receivedAt: new Date(event.data.receivedAt),
      traceparent: event.traceparent,
    });
  }
}
