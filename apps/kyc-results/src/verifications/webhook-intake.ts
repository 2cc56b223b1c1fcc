import { Inject, Injectable, Optional } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DomainEvent, WebhookReceivedData } from '@compliance/contracts';
import { PermanentEventError } from '@compliance/messaging';
import type { Keyring } from '@compliance/persistence';
import { ERASED, KEYRING, openEvents } from '@compliance/platform';
import type { Json } from '../providers/payload-fields';
import { payloadFingerprint } from '../providers/payload-fingerprint';
import { adaptRedactedWebhook, planWebhook, PROVIDER_APIS, type ProviderApi, type ProviderLookup, type WebhookPlan } from '../providers/provider-adapter';
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
    @Optional() @Inject(PROVIDER_APIS) private readonly apis: ProviderApi[] | null = null,
  ) {}

  /**
   * Several events, applied in list order with the result of receiving them one by one. A malformed
   * payload fails the whole call (the runtime then replays the events one by one, so only that one
   * is dead-lettered). Webhooks whose adapter needs more than the payload (Onfido, Sumsub reviews) are
   * completed from the provider's API first; an API that cannot answer fails the call with a retryable error.
   */
  async receiveAll(events: Array<DomainEvent<WebhookReceivedData>>, manager: EntityManager): Promise<Array<RecordOutcome | 'ignored'>> {
    // Payloads sealed under the person's data key are opened (one keyring round trip for the fetch).
    const opened = await openEvents(this.keyring, events);
    const plans = events.map((event, i): WebhookPlan | AdaptedWebhook => {
      const clear = opened[i];
      if (clear === ERASED) return erasedWebhook(event);
      if (clear.data.redacted) return redactedWebhook(clear);
      return permanentIfMalformed(() => planWebhook(clear.data.source, clear.data.payload as Json, undefined, clear.data.scheme));
    });
    const fetched = await this.lookups(plans);
    const adapted = plans.map((plan, i): AdaptedWebhook => (plan.kind === 'read' ? permanentIfMalformed(() => ({ kind: 'report', report: plan.adapter.read(plan.payload, fetched[i]) })) : plan));
    const reports: ReportToRecord[] = [];
    adapted.forEach((a, i) => {
      if (a.kind === 'report') reports.push({ report: a.report, received: receivedOf(events[i], (opened[i] as DomainEvent<WebhookReceivedData>).data.payload as Record<string, unknown>) });
    });
    const recorded = await this.recorder.recordAll(manager, reports);
    for (const a of adapted) if (a.kind === 'ignored') countIgnored(a);
    return adapted.map((a) => (a.kind === 'ignored' ? 'ignored' : (recorded.shift() as RecordOutcome)));
  }

  /** What the providers' APIs answer to the plans' lookups, by position (each distinct lookup asked once). */
  private async lookups(plans: Array<WebhookPlan | AdaptedWebhook>): Promise<Array<Json | undefined>> {
    const asked = new Map<string, Promise<Json | undefined>>();
    const ask = (lookup: ProviderLookup): Promise<Json | undefined> => {
      const api = this.apis?.find((a) => a.provider === lookup.provider);
      if (!api) return Promise.resolve(undefined);
      const key = `${lookup.provider}/${lookup.resource}/${lookup.id}`;
      if (!asked.has(key)) asked.set(key, api.lookup(lookup));
      return asked.get(key) as Promise<Json | undefined>;
    };
    const answers = plans.map((plan) => (plan.kind === 'read' && plan.lookup ? ask(plan.lookup) : Promise.resolve(undefined)));
    // Every lookup settles before the first failure is thrown: none is left running after the call.
    const settled = await Promise.allSettled(answers);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    return settled.map((s) => (s as PromiseFulfilledResult<Json | undefined>).value);
  }
}

/** A webhook sealed under a destroyed key: its person was erased; counted, never recorded. */
function erasedWebhook(event: DomainEvent<WebhookReceivedData>): Ignored {
  return { kind: 'ignored', source: event.data.source, webhookType: event.data.webhookType ?? 'unknown', reason: 'subject_erased' };
}

/** A webhook the gateway published without its payload (its person was erased before): read from its routing fields. */
function redactedWebhook(event: DomainEvent<WebhookReceivedData>): AdaptedWebhook {
  const { source, scheme, sessionId, subjectRef, status, webhookType } = event.data;
  return adaptRedactedWebhook({ source, scheme, sessionId, subjectRef, status, webhookType, occurredAt: new Date(event.time) });
}

/** Retrying cannot fix a malformed payload: straight to the DLQ, with the reason and no values. */
function permanentIfMalformed<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
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
