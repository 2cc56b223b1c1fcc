/**
 * Codec micro-benchmark: CPU per event of encoding, decoding and validating a record, before (the
 * CloudEvents SDK and class-validator's validateSync, kept as the reference codec) and after (the
 * direct ce_* header codec and the validators compiled from the DTOs' metadata).
 *
 *   npx tsx tools/bench/codec.bench.ts [--iterations 10000] [--rounds 7]
 *
 * Two events: a `webhook.received` carrying the Didit v3 approved payload, as the gateway makes it,
 * and a `kyc.verification.approved`, as kyc-results announces it. Each figure is the median over the
 * rounds of the mean process CPU µs per call in a round; decoding starts from what kafkajs hands a
 * consumer (Buffer value and headers).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import 'reflect-metadata';
import {
  decodeEvent,
  encodeEvent,
  EventSources,
  EventTypes,
  kycEventType,
  newEvent,
  validateEvent,
  type DomainEvent,
  type EncodedRecord,
  type KycVerificationData,
  type RawRecord,
  type WebhookReceivedData,
} from '../../libs/contracts/src';
import { classValidatorValidateEvent, sdkDecodeEvent, sdkEncodeEvent } from '../../libs/contracts/src/testing/reference-codec';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ITERATIONS = arg('iterations', 10_000);
const ROUNDS = arg('rounds', 7);

function webhookReceived(): DomainEvent<WebhookReceivedData> {
  const file = join(__dirname, '..', '..', 'libs', 'testing', 'fixtures', 'didit', 'v3-approved.json');
  const payload = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const receivedAt = new Date();
  return newEvent({
    type: EventTypes.WebhookReceived,
    source: EventSources.WebhookGateway,
    id: '0f3c2a4e-9b1d-8e7f-a6b5-c4d3e2f1a0b9',
    subject: String(payload.session_id),
    time: new Date((payload.created_at as number) * 1000),
    data: {
      source: 'didit',
      scheme: 'didit',
      receivedAt: receivedAt.toISOString(),
      deliveryId: String(payload.event_id),
      fingerprint: 'a'.repeat(64),
      sessionId: String(payload.session_id),
      subjectRef: String(payload.vendor_data),
      payload,
    },
  });
}

function verificationApproved(): DomainEvent<KycVerificationData> {
  const sessionId = '5d0c9a7e-1f2b-4c3d-8e9f-0a1b2c3d4e01';
  return newEvent({
    type: kycEventType('approved'),
    source: EventSources.KycResults,
    subject: sessionId,
    time: new Date('2026-01-01T00:00:00.000Z'),
    data: {
      sessionId,
      subjectRef: 'customer-1001',
      provider: 'didit',
      status: 'approved',
      previousStatus: 'in_review',
      occurredAt: '2026-01-01T00:00:00.000Z',
      change: 'transition',
      workflowId: 'd8d2fa2d-0000-4000-8000-bc71512b43ef',
      terminal: true,
      providerStatus: 'Approved',
      decidedAt: '2026-01-01T00:00:00.000Z',
      decision: { documentType: 'Passport', issuingCountry: 'ESP', livenessScore: 96, faceMatchScore: 91.2, ipRiskFlags: [], providerAml: { status: 'Approved', totalHits: 0, score: 0 } },
      identity: { fullName: 'Ana Núñez García', dateOfBirth: '1990-04-02', nationality: 'ESP', documentNumber: 'X1234567' },
    },
  });
}

/** The record as kafkajs delivers it to a consumer. */
function asDelivered(record: EncodedRecord): RawRecord {
  const headers = Object.fromEntries(Object.entries(record.headers).map(([k, v]) => [k, Buffer.from(v)]));
  return { key: Buffer.from(record.key), value: Buffer.from(record.value), headers };
}

let sink = 0;

/** Median over rounds of the mean CPU µs per call (process CPU time: a busy machine does not inflate it). */
function measure(run: () => unknown): number {
  for (let i = 0; i < Math.min(ITERATIONS, 5_000); i++) run();
  const perCall: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const started = process.cpuUsage();
    for (let i = 0; i < ITERATIONS; i++) if (run()) sink++;
    const used = process.cpuUsage(started);
    perCall.push((used.user + used.system) / ITERATIONS);
  }
  perCall.sort((a, b) => a - b);
  return perCall[Math.floor(perCall.length / 2)];
}

interface Row {
  event: string;
  step: 'encode' | 'decode' | 'validate' | 'total';
  before: number;
  after: number;
}

function benchEvent(name: string, event: DomainEvent): Row[] {
  const record = encodeEvent(event, event.subject ?? event.id);
  const delivered = asDelivered(record);
  const decoded = decodeEvent(delivered);
  const steps = {
    encode: [() => sdkEncodeEvent(event, 'k'), () => encodeEvent(event, 'k')],
    decode: [() => sdkDecodeEvent(delivered), () => decodeEvent(delivered)],
    validate: [() => classValidatorValidateEvent(decoded), () => validateEvent(decoded)],
  } as const;
  const rows = (Object.keys(steps) as Array<keyof typeof steps>).map((step) => {
    const [before, after] = steps[step];
    return { event: name, step, before: measure(before), after: measure(after) };
  });
  const total = rows.reduce((t, r) => ({ ...t, before: t.before + r.before, after: t.after + r.after }), { event: name, step: 'total' as const, before: 0, after: 0 });
  return [...rows, total];
}

function main(): void {
  const rows = [
    ...benchEvent(`${EventTypes.WebhookReceived} (Didit v3 approved)`, webhookReceived()),
    ...benchEvent(kycEventType('approved'), verificationApproved()),
  ];
  console.log(`codec CPU µs per event (Node ${process.version}, ${ITERATIONS} calls x ${ROUNDS} rounds, median round)`);
  console.log(['event', 'step', 'before µs', 'after µs', 'speed-up'].join('\t'));
  for (const r of rows) console.log([r.event, r.step, r.before.toFixed(2), r.after.toFixed(2), `${(r.before / r.after).toFixed(1)}x`].join('\t'));
  if (sink < 0) console.log(sink);
}

main();
