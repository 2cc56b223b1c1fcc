import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { PiiCipher } from '@compliance/persistence';
import { payloadFingerprint } from '../providers/payload-fingerprint';
import { adaptWebhook } from '../providers/provider-adapter';
import type { VerificationReport } from '../providers/verification-report';
import { newSession, redelivered, sessionReport, statusOnly } from '../../test/didit-reports';
import { TEST_PII_KEY } from '../../test/kyc-harness';
import { lifecyclePayload } from '../../test/lifecycle-payloads';
import { lifecyclesArb, seededRandom, withRedeliveries } from '../../test/session-lifecycles';
import { IdentityVault } from './identity-vault';
import { planSession, SessionNotYetKnownError, type ReportToRecord, type SessionPlan, type StoredSession } from './recording-plan';

const T0 = 1_767_225_600;
const vault = new IdentityVault(new PiiCipher(TEST_PII_KEY, 'kyc-results'));

function item(payload: Record<string, unknown>): ReportToRecord {
  const report = (adaptWebhook('didit', payload) as { report: VerificationReport }).report;
  return { report, received: { eventId: String(payload.event_id), deliveryId: String(payload.event_id), fingerprint: payloadFingerprint(payload), receivedAt: new Date(T0 * 1000) } };
}

const indexed = (items: ReportToRecord[]) => items.map((it, index) => ({ index, item: it }));

/** What the database holds once a plan is written on top of `before` (as the recorder writes it). */
function written(plan: SessionPlan, before: StoredSession | undefined, with_ = vault): StoredSession {
  return {
    session: structuredClone(plan.session),
    identity: plan.identity ? with_.seal(plan.session.sessionId, plan.identity) : before?.identity,
    recorded: new Set([...(before?.recorded ?? []), ...plan.history.map((h) => h.row.fingerprint)]),
  };
}

/** The reports recorded one per batch, each on what the previous one left. */
function oneByOne(items: ReportToRecord[]) {
  let stored: StoredSession | undefined;
  const out = { outcomes: [] as string[], history: [] as unknown[], events: [] as unknown[], identity: undefined as unknown };
  for (const it of items) {
    const plan = planSession(stored, [{ index: 0, item: it }], vault);
    out.outcomes.push(...plan.outcomes.map((o) => o.outcome));
    out.history.push(...plan.history.map((h) => h.row));
    out.events.push(...plan.events.map((e) => e.event.data));
    stored = written(plan, stored);
  }
  return { ...out, session: stored?.session, identity: stored?.identity && vault.open(stored.identity) };
}

describe('planSession: a session’s reports of one batch, applied in memory', () => {
  it('gives the outcomes, history, events, session and identity of recording the reports one by one (property)', () => {
    fc.assert(
      fc.property(lifecyclesArb(1, { min: 2, max: 10 }), fc.integer(), ([steps], seed) => {
        const session = newSession('c-plan');
        const random = seededRandom(seed);
        // Redeliveries (same content, new event id) and a few late reports: the batch is in arrival order.
        const payloads = steps.map((step) => lifecyclePayload(step, session));
        const arrival = withRedeliveries(payloads, 0.3, random).map((p) => (random() < 0.5 ? p : redelivered(p)));
        const items = arrival.map(item);
        if (items[0].report.kind === 'data') return;
        const batch = planSession(undefined, indexed(items), vault);
        const single = oneByOne(items);
        expect(batch.outcomes.map((o) => o.outcome)).toEqual(single.outcomes);
        expect(batch.history.map((h) => h.row)).toEqual(single.history);
        expect(batch.events.map((e) => e.event.data)).toEqual(single.events);
        expect(batch.session).toEqual(single.session);
        expect(batch.identity && vault.open(vault.seal(session.sessionId, batch.identity))).toEqual(single.identity);
      }),
      { numRuns: 200 },
    );
  });

  it('orders the lists of several reports by their place in the batch and counts repeated content as duplicates', () => {
    const session = newSession();
    const approved = sessionReport('v3-approved', session, T0);
    const plan = planSession(
      undefined,
      [
        { index: 3, item: item(approved) },
        { index: 5, item: item(redelivered(approved)) },
        { index: 8, item: item(statusOnly('In Progress', session, T0 - 60)) },
      ],
      vault,
    );
    expect(plan.outcomes).toEqual([
      { index: 3, outcome: 'transition' },
      { index: 5, outcome: 'duplicate' },
      { index: 8, outcome: 'stale' },
    ]);
    expect(plan.history.map((h) => [h.index, h.row.outcome])).toEqual([[3, 'transition'], [8, 'stale']]);
    expect(plan.events.map((e) => [e.index, e.event.data.status, (e.event.data.identity as { fullName?: string } | undefined)?.fullName])).toEqual([[3, 'approved', 'Ana Núñez García']]);
    expect(plan).toMatchObject({ existed: false, touched: true, identity: { fullName: 'Ana Núñez García' } });
  });

  it('refuses decision data for a session with no status yet, even when its status comes later in the batch', () => {
    const session = newSession();
    const early = { ...sessionReport('v3-approved', session, T0 + 50), webhook_type: 'data.updated', status: undefined };
    expect(() => planSession(undefined, indexed([item(early), item(statusOnly('In Review', session, T0))]), vault)).toThrow(SessionNotYetKnownError);
  });

  it('announces an approval with the identity held from before the batch, decrypting it without reading it again', () => {
    const session = newSession();
    const first = planSession(undefined, indexed([item(sessionReport('v3-approved', session, T0))]), vault);
    const stored = written(first, undefined);
    const plan = planSession(stored, indexed([item(statusOnly('Resubmitted', session, T0 + 10)), item(statusOnly('Approved', session, T0 + 20))]), vault);
    expect(plan.events.map((e) => [e.event.data.status, (e.event.data.identity as { documentNumber?: string } | undefined)?.documentNumber])).toEqual([
      ['resubmitted', undefined],
      ['approved', 'X1234567'],
    ]);
    expect(plan.identity).toBeUndefined();
  });

  it('re-encrypts an identity held under an older key when it is reported again, announcing nothing; a different one is a change', () => {
    const oldKey = randomBytes(32).toString('base64');
    const before = new IdentityVault(new PiiCipher(oldKey, 'kyc-results'));
    const rotated = new IdentityVault(new PiiCipher(`${TEST_PII_KEY},${oldKey}`, 'kyc-results'));
    const session = newSession();
    const first = planSession(undefined, indexed([item(sessionReport('v3-approved', session, T0))]), before);
    const stored = written(first, undefined, before);
    const changed = sessionReport('v3-approved', session, T0 + 120);
    changed.decision.id_verifications[0].first_name = 'Anabel';
    changed.decision.id_verifications[0].full_name = 'Anabel Núñez García';

    const same = planSession(structuredClone(stored), indexed([item(sessionReport('v3-approved', session, T0 + 60))]), rotated);
    expect(same.outcomes.map((o) => o.outcome)).toEqual(['repeat']);
    expect(same.events).toEqual([]);
    expect(same.identity?.fullName).toBe('Ana Núñez García');

    const other = planSession(structuredClone(stored), indexed([item(changed)]), rotated);
    expect(other.events.map((e) => [e.event.data.change, (e.event.data.identity as { fullName?: string } | undefined)?.fullName])).toEqual([['data_updated', 'Anabel Núñez García']]);
  });
});
