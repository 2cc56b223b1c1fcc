import fc from 'fast-check';
import type { KycStatus } from '@compliance/contracts';
import { OutboxRelay } from '@compliance/messaging';
import { waitFor } from '@compliance/testing';
import { adaptWebhook } from '../providers/provider-adapter';
import type { VerificationReport } from '../providers/verification-report';
import { redelivered } from '../../test/didit-reports';
import { gatewayEvent, startKycResults, type KycHarness } from '../../test/kyc-harness';
import { lifecyclePayload } from '../../test/lifecycle-payloads';
import { interleave, lifecyclesArb, seededRandom, shuffle, withRedeliveries } from '../../test/session-lifecycles';
import { VerificationRecorder } from './verification-recorder';
import { decisionKey, judgeReport, type SessionPosition } from './verification-state';

type Delivery = ReturnType<typeof gatewayEvent>;
const reportOf = (d: Delivery) => (adaptWebhook('didit', d.data.payload as Record<string, unknown>) as { report: VerificationReport }).report;

/** The model: what the service must do with deliveries in this order (content dedupe, data before status retried last). */
function model(deliveries: Delivery[]) {
  const out = new Map<string, { position?: SessionPosition; seen: Set<string>; transitions: KycStatus[] }>();
  const queue = [...deliveries];
  for (let d = queue.shift(); d; d = queue.shift()) {
    const report = reportOf(d);
    const s = out.get(report.sessionId) ?? { seen: new Set<string>(), transitions: [] };
    out.set(report.sessionId, s);
    if (!s.position && report.kind === 'data') {
      queue.push(d);
      continue;
    }
    if (s.seen.has(d.data.fingerprint as string)) continue;
    s.seen.add(d.data.fingerprint as string);
    const key = report.decision ? decisionKey(report, d.data.fingerprint as string) : undefined;
    const j = judgeReport(s.position, { kind: report.kind, status: report.status, occurredAt: report.occurredAt, decisionKey: key });
    if (j.statusChanged) s.transitions.push(j.next.status);
    s.position = j.next;
  }
  return out;
}

describe('kyc-results ordering under real delivery (real Kafka, real Postgres)', () => {
  let kyc: KycHarness;
  beforeAll(async () => {
    kyc = await startKycResults('kycorder');
  });
  afterAll(() => kyc?.stop());

  it('converges shuffled and redelivered webhooks for 20 sessions to the ordered stream’s states, emitting exactly the model’s transitions', async () => {
    const run = Date.now().toString(36);
    const [lives] = fc.sample(lifecyclesArb(20, { min: 6, max: 6 }), { seed: 42, numRuns: 1 });
    const random = seededRandom(7);
    const toDeliveries = (group: typeof lives) =>
      group.map((steps) => steps.map((step) => gatewayEvent(lifecyclePayload(step, { sessionId: `${run}-${step.sessionId}`, subjectRef: `c-${run}` }))));
    const [interleaved, shuffled] = [toDeliveries(lives.slice(0, 10)), toDeliveries(lives.slice(10))];
    const ordered = model([...interleaved, ...shuffled].flat());
    // Half the sessions arrive interleaved (per-session order kept), half in any order; 30 % are re-sent.
    const arrival = withRedeliveries(interleave([interleave(interleaved, random), shuffle(shuffled.flat(), random)], random), 0.3, random).map((d) =>
      random() < 0.5 ? d : gatewayEvent(redelivered(d.data.payload as Record<string, unknown>), random() < 0.5 ? {} : { id: `bypass-${random()}` }),
    );
    const arrived = model(arrival);
    await kyc.deliver(...arrival);

    const distinct = [...ordered.values()].reduce((n, s) => n + s.seen.size, 0);
    await waitFor(async () => (await kyc.query('SELECT count(*)::int AS n FROM verification_status_history WHERE session_id LIKE $1', [`${run}-%`]))[0].n === distinct, {
      what: `${distinct} reports recorded`,
      timeoutMs: 45_000,
    });
    const rows = await kyc.query('SELECT session_id, status, status_at, decision_key, transitions FROM verification_sessions WHERE session_id LIKE $1', [`${run}-%`]);
    expect(rows).toHaveLength(20);
    for (const row of rows) {
      const want = ordered.get(row.session_id)?.position as SessionPosition;
      expect({ id: row.session_id, status: row.status, statusAt: row.status_at, decisionKey: row.decision_key }).toEqual({ id: row.session_id, ...want });
      expect(row.transitions).toBe(arrived.get(row.session_id)?.transitions.length);
    }
    const expected = [...arrived.values()].reduce((n, s) => n + s.transitions.length, 0);
    await waitFor(() => rows.reduce((n, r) => n + kyc.verificationEvents(r.session_id).filter((e) => e.data.change === 'transition').length, 0) >= expected, {
      what: `${expected} transition events`,
    });
    for (const row of rows) {
      const emitted = kyc.verificationEvents(row.session_id).filter((e) => e.data.change === 'transition').map((e) => e.data.status);
      expect(emitted).toEqual(arrived.get(row.session_id)?.transitions);
      // Interleaved sessions (per-session order kept) emit exactly the ordered stream's transitions.
      if (interleaved.some((s) => s[0].data.sessionId === row.session_id)) expect(emitted).toEqual(ordered.get(row.session_id)?.transitions);
    }
  });

  it('serialises concurrent consumers on one session: no lost or backward transition', async () => {
    const session = { sessionId: `race-${Date.now().toString(36)}`, subjectRef: 'c-race' };
    const [life] = fc.sample(lifecyclesArb(1, { min: 40, max: 40 }), { seed: 3, numRuns: 1 })[0];
    const deliveries = shuffle(life.filter((s) => s.kind === 'status').map((step) => gatewayEvent(lifecyclePayload(step, session))), seededRandom(11));
    const recorder = kyc.get(VerificationRecorder);
    const apply = (d: Delivery) =>
      kyc.dataSource.transaction((m) =>
        recorder.record(m, reportOf(d), { eventId: d.id, deliveryId: d.data.deliveryId, fingerprint: d.data.fingerprint as string, receivedAt: new Date() }),
      );
    // The relay deletes what it sends: held, the outbox keeps every transition in the order it would publish them.
    const relay = kyc.get(OutboxRelay);
    await relay.stop();
    let outbox: Array<{ at: string }>;
    try {
      // Four workers race on the same session row.
      await Promise.all([0, 1, 2, 3].map(async (w) => {
        for (const d of deliveries.filter((_, i) => i % 4 === w)) await apply(d);
      }));
      outbox = await kyc.query(
        "SELECT value::jsonb->>'occurredAt' AS at FROM outbox WHERE key = $1 AND value::jsonb->>'change' = 'transition' ORDER BY id",
        [session.sessionId],
      );
    } finally {
      relay.start();
      relay.kick();
    }
    const want = model(deliveries.slice().sort((a, b) => reportOf(a).occurredAt.getTime() - reportOf(b).occurredAt.getTime())).get(session.sessionId);
    const [row] = await kyc.query('SELECT status, status_at, transitions FROM verification_sessions WHERE session_id = $1', [session.sessionId]);
    expect({ status: row.status, statusAt: row.status_at }).toEqual({ status: want?.position?.status, statusAt: want?.position?.statusAt });
    const history = await kyc.query("SELECT count(*)::int AS n FROM verification_status_history WHERE session_id = $1 AND outcome = 'transition'", [session.sessionId]);
    expect(row.transitions).toBe(history[0].n);
    expect(outbox).toHaveLength(history[0].n);
    const times = outbox.map((o) => Date.parse(o.at));
    times.slice(1).forEach((t, i) => expect(t).toBeGreaterThanOrEqual(times[i]));
  });
});
