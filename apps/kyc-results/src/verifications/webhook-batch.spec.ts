import { randomUUID } from 'node:crypto';
import { ConsumerGroups, dlqTopicOf, retryTopicOf, Topics, type DomainEvent, type WebhookReceivedData } from '@compliance/contracts';
import { RetryHeaders } from '@compliance/messaging';
import { waitFor } from '@compliance/testing';
import { newSession, redelivered, sessionReport, statusOnly } from '../../test/didit-reports';
import { gatewayEvent, startKycResults, type KycHarness } from '../../test/kyc-harness';
import { countConsumerStatements } from '../../test/statement-counter';
import { IdentityVault } from './identity-vault';
import { WebhookIntake } from './webhook-intake';

const T0 = 1_767_225_600;
type Session = ReturnType<typeof newSession>;

/** A session's life with every kind of report: transition, duplicate content, stale, data_updated, repeat. */
function life(session: Session): Array<DomainEvent<WebhookReceivedData>> {
  const approved = sessionReport('v3-approved', session, T0);
  const corrected: typeof approved = { ...structuredClone(approved), webhook_type: 'data.updated', event_id: randomUUID(), created_at: T0 + 300 };
  corrected.decision.id_verifications[0].last_name = 'Núñez Gómez';
  return [
    gatewayEvent(approved),
    // Same content under another id (the gateway's dedupe bypassed): caught by the fingerprint.
    gatewayEvent(redelivered(approved), { id: randomUUID() }),
    gatewayEvent(statusOnly('In Progress', session, T0 - 60)),
    gatewayEvent(corrected),
    gatewayEvent(statusOnly('Resubmitted', session, T0 + 400)),
    gatewayEvent(statusOnly('In Progress', session, T0 + 410)),
    gatewayEvent(sessionReport('v3-approved', session, T0 + 420)),
    gatewayEvent(sessionReport('v3-approved', session, T0 + 430)),
  ];
}

describe('kyc-results: received webhooks applied a fetch at a time (real Kafka, real Postgres)', () => {
  let kyc: KycHarness;
  let batches: string[][];
  const inboxed = async (id: string) => (await kyc.query('SELECT 1 FROM inbox WHERE event_id = $1', [id])).length === 1;
  const withoutIds = <T extends Record<string, unknown>>(row: T, ...keys: string[]) => Object.fromEntries(Object.entries(row).filter(([k]) => !keys.includes(k)));

  beforeAll(async () => {
    kyc = await startKycResults('kycbatch');
    const intake = kyc.get(WebhookIntake);
    const receiveAll = intake.receiveAll.bind(intake);
    batches = [];
    jest.spyOn(intake, 'receiveAll').mockImplementation((events, m) => {
      batches.push(events.map((e) => e.id));
      return receiveAll(events, m);
    });
  });
  afterAll(() => kyc?.stop());

  it('records a fetch of webhooks with the same few statements whatever its size: no statement per event', async () => {
    const sessions = Array.from({ length: 40 }, () => newSession());
    const created = countConsumerStatements();
    await kyc.deliver(...sessions.map((s) => gatewayEvent(sessionReport('v3-approved', s, T0))));
    for (const s of sessions) await kyc.waitForEvents(s.sessionId, 1);
    const first = created.transactions();
    created.restore();
    const moved = countConsumerStatements();
    await kyc.deliver(
      ...sessions.flatMap((s) => [
        gatewayEvent(statusOnly('Resubmitted', s, T0 + 10)),
        gatewayEvent(statusOnly('In Progress', s, T0 + 20)),
        gatewayEvent(sessionReport('v3-approved', s, T0 + 30)),
      ]),
    );
    for (const s of sessions) await kyc.waitForEvents(s.sessionId, 4);
    const second = moved.transactions();
    moved.restore();

    for (const [transactions, events] of [[first, 40], [second, 120]] as const) {
      expect(transactions.reduce((n, t) => n + t.events, 0)).toBe(events);
      // inbox, sessions read and locked, sessions inserted, sessions updated, identities, history, outbox
      for (const t of transactions) expect(t.statements.length).toBeLessThanOrEqual(7);
      expect(transactions.reduce((n, t) => n + t.statements.length, 0)).toBeLessThan(events / 5);
    }
    // Nothing written is read back: the identity an approval carries comes from memory.
    expect([...first, ...second].flatMap((t) => t.statements).filter((s) => /^SELECT .*identity_attributes/.test(s) && !/FOR UPDATE/.test(s))).toEqual([]);
  });

  it('applies several webhooks of one session from one fetch in order, with the result of applying them one by one', async () => {
    const [together, apart] = [newSession('c-batch'), newSession('c-batch')];
    const [batched, single] = [life(together), life(apart)];
    for (const event of single) {
      await kyc.deliver(event);
      await waitFor(() => inboxed(event.id), { what: `event ${event.id} consumed` });
    }
    await kyc.deliver(...batched);
    await waitFor(() => Promise.all(batched.map((e) => inboxed(e.id))).then((all) => all.every(Boolean)), { what: 'the batch consumed' });
    // The whole life came in one fetch, and the batch handler got it in one call, in order.
    expect(batches.some((ids) => batched.every((e) => ids.includes(e.id)))).toBe(true);
    expect(batches.find((ids) => ids.includes(batched[0].id))?.filter((id) => batched.some((e) => e.id === id))).toEqual(batched.map((e) => e.id));

    const sessionRow = async (s: Session) => {
      const [row] = await kyc.query('SELECT * FROM verification_sessions WHERE session_id = $1', [s.sessionId]);
      // The decision key ends with the content fingerprint, which differs with the session id.
      return { ...withoutIds(row, 'session_id', 'seq', 'created_at', 'updated_at'), decision_key: row.decision_key.split('|').slice(0, 3).join('|') };
    };
    expect(await sessionRow(together)).toEqual(await sessionRow(apart));
    const history = async (s: Session) =>
      (await kyc.query('SELECT * FROM verification_status_history WHERE session_id = $1 ORDER BY id', [s.sessionId])).map((h) =>
        withoutIds(h, 'id', 'session_id', 'event_id', 'delivery_id', 'fingerprint', 'received_at', 'recorded_at'),
      );
    const recorded = await history(together);
    expect(recorded.map((h) => h.outcome)).toEqual(['transition', 'stale', 'data_updated', 'transition', 'transition', 'transition', 'repeat']);
    expect(recorded).toEqual(await history(apart));
    const vault = kyc.get(IdentityVault);
    expect(await vault.load(kyc.dataSource.manager, together.sessionId)).toEqual(await vault.load(kyc.dataSource.manager, apart.sessionId));

    const announced = async (s: Session) =>
      (await kyc.waitForEvents(s.sessionId, 5)).map((e) => ({ type: e.type, time: e.time, data: withoutIds(e.data, 'sessionId') }));
    const events = await announced(together);
    expect(events.map((e) => [e.data.status, e.data.change, (e.data.identity as { fullName?: string } | undefined)?.fullName])).toEqual([
      ['approved', 'transition', 'Ana Núñez García'],
      ['approved', 'data_updated', 'Ana Núñez Gómez'],
      ['resubmitted', 'transition', undefined],
      ['in_progress', 'transition', undefined],
      ['approved', 'transition', 'Ana Núñez García'],
    ]);
    expect(events).toEqual(await announced(apart));
  });

  it('replays a fetch with one bad event one event at a time: only the bad one is retried or dead-lettered, the others applied once', async () => {
    const [good, unknown, broken] = [newSession(), newSession(), newSession()];
    const early = gatewayEvent({ ...sessionReport('v3-approved', unknown, T0 + 50), webhook_type: 'data.updated', status: undefined });
    const malformed = sessionReport('v3-approved', broken, T0);
    malformed.decision.id_verifications = { not: 'an array' };
    const bad = gatewayEvent(malformed);
    const fine = [gatewayEvent(statusOnly('In Review', good, T0)), gatewayEvent(sessionReport('v3-approved', good, T0 + 10))];
    const fetch = [fine[0], early, bad, fine[1]];
    // One key: one partition, one produce request, so one fetch.
    await kyc.publish(Topics.WebhooksInbound, `batch-${randomUUID()}`, ...fetch);

    const retried = await waitFor(() => kyc.reader.on(retryTopicOf(ConsumerGroups.KycResults)).find((r) => r.headers.ce_id === early.id), { what: 'the early data report on the retry topic' });
    expect(retried.headers[RetryHeaders.Attempt]).toBe('1');
    expect(retried.headers[RetryHeaders.LastError]).toContain('before any status');
    const dead = await waitFor(() => kyc.reader.on(dlqTopicOf(ConsumerGroups.KycResults)).find((r) => r.headers.ce_id === bad.id), { what: 'the malformed payload in the DLQ' });
    expect(dead.headers[RetryHeaders.ErrorCode]).toBe('KYC_PAYLOAD_MALFORMED');
    const events = await kyc.waitForEvents(good.sessionId, 2);
    expect(events.map((e) => [e.data.status, e.data.previousStatus])).toEqual([
      ['in_review', null],
      ['approved', 'in_review'],
    ]);
    expect((await kyc.query('SELECT outcome FROM verification_status_history WHERE session_id = $1 ORDER BY id', [good.sessionId])).map((h) => h.outcome)).toEqual([
      'transition',
      'transition',
    ]);

    // Tried together first, then each alone; only the two bad ones left the partition for retry or DLQ.
    const ids = fetch.map((e) => e.id);
    expect(batches.some((batch) => ids.every((id) => batch.includes(id)))).toBe(true);
    for (const id of ids) expect(batches).toContainEqual([id]);
    const sidelined = [retryTopicOf(ConsumerGroups.KycResults), dlqTopicOf(ConsumerGroups.KycResults)].flatMap((t) => kyc.reader.on(t)).map((r) => r.headers.ce_id);
    expect(sidelined.filter((id) => ids.includes(id)).sort()).toEqual([early.id, bad.id].sort());
    expect(await kyc.query('SELECT 1 FROM verification_sessions WHERE session_id = ANY($1)', [[unknown.sessionId, broken.sessionId]])).toEqual([]);
    expect(kyc.reader.on(dlqTopicOf(ConsumerGroups.KycResults)).filter((r) => r.headers.ce_id === bad.id)).toHaveLength(1);
  });
});
