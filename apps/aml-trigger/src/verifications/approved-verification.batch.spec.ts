import { randomUUID } from 'node:crypto';
import { ConsumerGroups, encodeEvent, EventTypes, kycEventType, retryTopicOf, Topics, type DomainEvent, type KycVerificationData } from '@compliance/contracts';
import { EventProducer, TopicNamespace, type EventBatchItem } from '@compliance/messaging';
import { waitFor } from '@compliance/testing';
import { AmlHarness, approvedEvent, LISTED_PERSON, UNLISTED_PERSON, type ApprovalInit } from '../../test/aml-test-harness';
import { StatementCounter } from '../../test/statement-counter';
import { ApprovedVerificationHandler } from './approved-verification.handler';
import { sql } from '@compliance/persistence/testing';
import { testKafka, TopicReader } from '@compliance/messaging/testing';

const { AmlScreenings, ComplianceAlerts } = Topics;
const COMPLETED = EventTypes.AmlScreeningCompleted;
const RAISED = EventTypes.ComplianceAlertRaised;
const TARIQ = { fullName: 'Tariq Al-Zanduri', dateOfBirth: '1975', documentNumber: 'F0099123' };
const inSessions = (ids: Set<string>) => (d: Record<string, unknown>) => ids.has(d.sessionId as string);
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/**
 * One session's life in 7 events: an approval with the provider's summary, an update that changes
 * nothing, two identity changes (a match, then the same hits again), a late older approval of a listed
 * person, an update without identity, and an approval that names nobody.
 */
function sessionStory(sessionId: string, subjectRef: string, t0: number): DomainEvent<KycVerificationData>[] {
  const at = (s: number) => new Date(t0 + s * 1000).toISOString();
  const ev = (init: ApprovalInit) => approvedEvent({ sessionId, subjectRef, ...init });
  return [
    ev({ occurredAt: at(0), identity: UNLISTED_PERSON, providerAml: { status: 'In Review', totalHits: 1, score: 82.5 } }),
    ev({ occurredAt: at(1), change: 'data_updated', identity: UNLISTED_PERSON }),
    ev({ occurredAt: at(2), change: 'data_updated', identity: TARIQ }),
    ev({ occurredAt: at(3), change: 'data_updated', identity: { ...TARIQ, nationality: 'JO' } }),
    ev({ occurredAt: at(-10), identity: LISTED_PERSON }),
    ev({ occurredAt: at(4), change: 'data_updated', identity: undefined }),
    ev({ occurredAt: at(5), identity: undefined }),
  ];
}

describe('aml-trigger: approvals applied a fetch at a time (real Kafka, real Postgres, built-in screener)', () => {
  const h = new AmlHarness('amlbatch');
  let producer: EventProducer;
  let batches: string[][];

  /** Sends events as one produce request: one record batch per partition, so one fetch brings each partition's share. */
  const sendTogether = (events: DomainEvent<KycVerificationData>[]) => producer.send(Topics.KycVerifications, events.map((e) => encodeEvent(e, e.data.sessionId)));
  const applied = async (ids: string[]) => (await sql<{ n: number }>(h.databaseUrl, 'SELECT count(*)::int AS n FROM aml_trigger.inbox WHERE event_id = ANY($1)', [ids]))[0].n;

  beforeAll(async () => {
    await h.start();
    producer = new EventProducer(testKafka('aml-batch-producer'), new TopicNamespace(h.namespace));
    // Records the approvals each batch call gets, passing them on unchanged.
    const handler = h.app.app.get(ApprovedVerificationHandler);
    const handleBatch = handler.handleBatch.bind(handler);
    batches = [];
    handler.handleBatch = (items: EventBatchItem[], m) => {
      batches.push(items.map((i) => i.event.id));
      return handleBatch(items, m);
    };
  });
  afterAll(async () => {
    await producer?.disconnect();
    await h.stop();
  });

  it('screens a fetch of approvals with a constant number of statements per transaction, not per event', async () => {
    const listed = Array.from({ length: 8 }, () => approvedEvent({ identity: LISTED_PERSON }));
    const unlisted = Array.from({ length: 16 }, () => approvedEvent({ identity: UNLISTED_PERSON }));
    const all = [...listed, ...unlisted];
    const sessions = new Set(all.map((e) => e.data.sessionId));
    const counter = new StatementCounter().start();
    await sendTogether(all);
    await h.waitForEvents(AmlScreenings, COMPLETED, inSessions(sessions), all.length);
    await h.waitForEvents(ComplianceAlerts, RAISED, inSessions(sessions), listed.length);
    const counted = counter.stop();
    const perEvent = counted.work.length / all.length;
    console.log(
      `aml-trigger, ${all.length} approvals (${listed.length} with hits) in one send: ${counted.transactions} transaction(s), ` +
        `${counted.work.length} statements = ${perEvent.toFixed(2)} per approval; by table ${JSON.stringify(counted.byTable)}`,
    );
    expect(counted.transactions).toBeGreaterThan(0);
    // Inbox, erasure tombstones, subjects, known keys, suppressions, screenings, hit claims, alerts, outbox: 9 at most per transaction.
    expect(counted.work.length).toBeLessThanOrEqual(9 * counted.transactions);
    expect(perEvent).toBeLessThan(2);
  });

  it('acknowledges the other verification statuses with nothing but their inbox rows', async () => {
    const others = (['in_review', 'declined', 'in_progress', 'expired'] as const).flatMap((status) =>
      Array.from({ length: 5 }, () => {
        const e = approvedEvent({ identity: LISTED_PERSON });
        return { ...e, type: kycEventType(status), data: { ...e.data, status } };
      }),
    );
    const counter = new StatementCounter().start();
    await sendTogether(others);
    await waitFor(async () => (await applied(others.map((e) => e.id))) === others.length, { what: 'the inbox rows of 20 other statuses' });
    const counted = counter.stop();
    expect(counted.work.length).toBe(counted.transactions);
    expect(counted.byTable).toEqual({ inbox: counted.transactions });
    expect(await sql(h.databaseUrl, 'SELECT 1 FROM aml_trigger.screenings WHERE session_id = ANY($1)', [others.map((e) => e.data.sessionId)])).toHaveLength(0);
  });

  it('applies several events of one session in one fetch in order, with the same rows and events as one by one', async () => {
    const together = { sessionId: randomUUID(), subjectRef: `together-${randomUUID()}` };
    const alone = { sessionId: randomUUID(), subjectRef: `alone-${randomUUID()}` };
    const t0 = Date.now() - 60_000;
    const oneByOne = sessionStory(alone.sessionId, alone.subjectRef, t0);
    for (const e of oneByOne) {
      await h.publishKyc(e);
      await waitFor(async () => (await applied([e.id])) === 1, { what: `event ${e.id} applied` });
    }
    const batch = sessionStory(together.sessionId, together.subjectRef, t0);
    await sendTogether(batch);

    // The 7 events came in one call of the batch handler.
    await waitFor(() => batches.some((ids) => batch.every((e) => ids.includes(e.id))), { what: 'one batch with the whole story' });
    // provider summary; approval; match; same hits again; late listed approval; approval without a name.
    for (const s of [alone, together]) {
      await h.waitForEvents(AmlScreenings, '', (d) => d.sessionId === s.sessionId, 11);
      await h.waitForEvents(ComplianceAlerts, RAISED, (d) => d.sessionId === s.sessionId, 3);
    }
    const [a, b] = await Promise.all([alone, together].map((s) => outcomeOf(s)));
    expect(b).toEqual(a);
    expect(a.events.map((e) => e.type)).toEqual([
      `${COMPLETED}`,
      ...Array(4).fill([EventTypes.AmlScreeningRequested, COMPLETED]).flat(),
      EventTypes.AmlScreeningRequested,
      EventTypes.AmlScreeningFailed,
    ]);
    expect(a.alertEvents.map((e) => e.data?.kind)).toEqual(['aml_match', 'aml_match', 'aml_screening_failed']);
    // The subject is monitored with its newest identity (the late, older approval did not overwrite it).
    expect(a.subject).toMatchObject({ latest_session_id: 'SESSION', verified: expect.stringContaining(new Date(t0 + 3000).toISOString().slice(11, 19)) });
    expect(a.subject.screened_list_set).toBeTruthy();
  });

  it('replays a fetch with one bad approval event by event: only that one is retried, the others are applied once', async () => {
    const sessionId = randomUUID();
    const good1 = approvedEvent({ sessionId, identity: UNLISTED_PERSON });
    // Passes validation, but Postgres refuses text with a NUL character: it fails wherever it is applied.
    const bad = approvedEvent({ sessionId, subjectRef: 'bad\u0000subject', change: 'data_updated', identity: TARIQ });
    const good2 = approvedEvent({ sessionId, subjectRef: good1.data.subjectRef, change: 'data_updated', identity: LISTED_PERSON });
    const retries = await new TopicReader(h.namespace, [retryTopicOf(ConsumerGroups.AmlTrigger)]).start();
    try {
      await sendTogether([good1, bad, good2]);
      await waitFor(() => retries.records.some((r) => r.headers.ce_id === bad.id), { what: 'the bad event on the retry topic' });
      const done = await h.waitForEvents(AmlScreenings, COMPLETED, (d) => d.sessionId === sessionId, 2);
      expect(done.map((e) => e.data.trigger)).toEqual(['approval', 'identity_update']);
      const ours = new Set([good1.id, bad.id, good2.id]);
      expect(retries.records.filter((r) => ours.has(r.headers.ce_id)).map((r) => r.headers.ce_id)).toEqual([bad.id]);
      // First the whole fetch, then one event per transaction.
      const calls = batches.map((ids) => ids.filter((id) => ours.has(id))).filter((ids) => ids.length);
      expect(calls.slice(0, 4)).toEqual([[good1.id, bad.id, good2.id], [good1.id], [bad.id], [good2.id]]);
      expect(await sql(h.databaseUrl, 'SELECT 1 FROM aml_trigger.screenings WHERE session_id = $1', [sessionId])).toHaveLength(2);
      expect(await applied([good1.id, good2.id, bad.id])).toBe(2);
    } finally {
      await retries.stop();
    }
  });

  /** What a session left behind, with its own ids, session and subject replaced so two sessions compare. */
  async function outcomeOf(s: { sessionId: string; subjectRef: string }) {
    const norm = <T>(v: T): T =>
      JSON.parse(
        JSON.stringify(v, (k, x) => (/(At|_at)$/.test(k) ? undefined : x))
          .split(s.sessionId)
          .join('SESSION')
          .split(s.subjectRef)
          .join('SUBJECT')
          .replace(UUID, 'ID'),
      );
    const screenings = await sql(
      h.databaseUrl,
      `SELECT subject_ref, session_id, provider, trigger, status, dedupe_key, input_sealed IS NULL AS no_input, outcome, score, hits, list_versions,
              list_set, algorithm, thresholds, provider_reference, provider_summary, attempts, failure_reason, completed_at IS NULL AS open
       FROM aml_trigger.screenings WHERE session_id = $1`,
      [s.sessionId],
    );
    const alerts = await sql(h.databaseUrl, 'SELECT kind, severity, subject_ref, hit_keys, summary, details, status FROM aml_trigger.alerts WHERE session_id = $1', [s.sessionId]);
    const hits = await sql(h.databaseUrl, 'SELECT hit_key, state FROM aml_trigger.subject_hits WHERE subject_ref = $1 ORDER BY hit_key', [s.subjectRef]);
    const [subject] = await sql(
      h.databaseUrl,
      `SELECT identity_digest, latest_session_id, last_verified_at AT TIME ZONE 'UTC' || '' AS verified, screened_list_set FROM aml_trigger.monitored_subjects WHERE subject_ref = $1`,
      [s.subjectRef],
    );
    const eventsOn = (topic: string) => h.reader.on(topic).filter((r) => r.key === s.sessionId).map((r) => ({ type: r.event?.type, data: r.event?.data as Record<string, unknown> | undefined }));
    const sorted = (rows: unknown[]) => norm(rows).map((r) => JSON.stringify(r)).sort();
    return {
      screenings: sorted(screenings),
      alerts: sorted(alerts),
      hits,
      subject: norm(subject),
      events: norm(eventsOn(AmlScreenings)),
      alertEvents: norm(eventsOn(ComplianceAlerts)),
    };
  }
});
