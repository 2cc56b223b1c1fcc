import { randomBytes, randomUUID } from 'node:crypto';
import { Partitioners } from 'kafkajs';
import { Client } from 'pg';
import { allTopics, ConsumerGroups, DataKeyDestroyedError, dlqTopicOf, EventTypes, openEvent, retryTopicOf, Topics, type DomainEvent } from '@compliance/contracts';
import { LocalKeyring } from '@compliance/persistence';
import { diditHeaders, diditSession, personaEvent, personaRequest, veriffDecision, veriffRequest, waitFor } from '@compliance/testing';
// The process stack (tools/stack) is a tool that starts the built services, not a library.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { SERVICES, Stack } from '../tools/stack/stack';
import { sql, testDatabaseUrl } from '@compliance/persistence/testing';
import { testNamespace, TopicReader } from '@compliance/messaging/testing';

/**
 * The whole flow across the five real service processes: a signed Didit webhook → gateway →
 * kyc-results → aml-trigger → alert → audit-log; then an erasure request every service confirms.
 */
const ADMIN = `e2e-admin-${randomBytes(6).toString('hex')}`;
const PERSON = { first_name: 'Viktor', last_name: 'Kovalenko-Drask', date_of_birth: '1968-04-12', nationality: 'UKR', document_number: 'ZX4471902' };
const PII = ['Kovalenko', 'ZX4471902', '1968-04-12'];
/** A second listed person (sample watchlist), kept while the first is erased: screened, alerted, and still readable after. */
const KEPT_PERSON = { first_name: 'Qiao', last_name: 'Lanfeng', date_of_birth: '1971-09-03', nationality: 'CHN', document_number: 'E55120931' };
const PARTITIONS = 3;
/** Where kyc-results sends what it cannot apply yet, and what it gives up on. */
const KYC_RETRY = retryTopicOf(ConsumerGroups.KycResults);
const KYC_DLQ = dlqTopicOf(ConsumerGroups.KycResults);

/** The partition the services' producers give a key: kafkajs' default partitioner (murmur2, as the Java client). */
const partitionOf = (key: string): number =>
  Partitioners.DefaultPartitioner()({
    topic: 'any',
    partitionMetadata: Array.from({ length: PARTITIONS }, (_, partitionId) => ({ partitionId, leader: 0, replicas: [0], isr: [0], partitionErrorCode: 0 })),
    message: { key, value: null },
  });

const newSubjectRef = () => `e2e-${randomBytes(4).toString('hex')}`;

/** A fresh id (from `make`) that falls on `partition` as a record key; a third of them do. */
function idOn(partition: number, make: () => string): string {
  for (;;) {
    const id = make();
    if (partitionOf(id) === partition) return id;
  }
}

async function api(url: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { ...init, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Every text-like column of every table in the services' schemas that contains one of `needles`. */
async function findPersonalData(databaseUrl: string, needles: string[]): Promise<string[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows: cols } = await client.query(
      `SELECT table_schema, table_name, column_name FROM information_schema.columns
        WHERE table_schema IN ('webhook_gateway','kyc_results','aml_trigger','retention','audit_log')
          AND data_type IN ('text','character varying','jsonb','json','bytea')`,
    );
    const found: string[] = [];
    for (const c of cols) {
      for (const needle of needles) {
        const q = `SELECT count(*)::int AS n FROM "${c.table_schema}"."${c.table_name}" WHERE position($1 in "${c.column_name}"::text) > 0`;
        const { rows } = await client.query(q, [needle]);
        if (rows[0].n > 0) found.push(`${c.table_schema}.${c.table_name}.${c.column_name} ∋ ${needle}`);
      }
    }
    return found;
  } finally {
    await client.end();
  }
}

describe('end to end: webhook to alert to erasure, across the five services', () => {
  const namespace = testNamespace('e2e');
  let stack: Stack;
  let reader: TopicReader;
  let databaseUrl: string;

  beforeAll(async () => {
    databaseUrl = await testDatabaseUrl('e2e');
    stack = new Stack({
      quiet: true,
      partitions: PARTITIONS,
      env: {
        KAFKA_TOPIC_PREFIX: namespace,
        DATABASE_URL: databaseUrl,
        API_KEYS: `${ADMIN}:admin:e2e`,
        // info: a service that does not come up shows in its log tail how far it got.
        LOG_LEVEL: 'info',
        RETENTION_SWEEP_INTERVAL_MS: '1000',
        // Long enough for a healthy erasure (about 2 s), short enough to see a late one alerted.
        RETENTION_ERASURE_DEADLINE_MS: '8000',
        AUDIT_CHECKPOINT_INTERVAL_MS: '1000',
        ...Object.fromEntries(SERVICES.map((s, i) => [s.portVar, String(3500 + Math.floor(Math.random() * 400) * 5 + i)])),
      },
    });
    stack.ensureBuilt();
    await stack.startInfrastructure();
    await stack.startAll();
    // Every topic, retry and dead-letter topics included: a plain consumer's view of what the suite publishes.
    reader = await new TopicReader(namespace, allTopics()).start();
  }, 180_000);

  afterAll(async () => {
    await reader?.stop();
    await stack?.stop();
  });

  it('turns a signed approval of a listed person into a record, a screening hit, an alert and an audit trail, then erases it everywhere', async () => {
    // Every key of both subjects (session ids and subjectRefs) falls on one partition, so on every topic
    // the erased person's records and the kept person's share it.
    const sessionId = randomUUID();
    const partition = partitionOf(sessionId);
    const subjectRef = idOn(partition, newSubjectRef);
    const payload = diditReport({ sessionId, subjectRef, person: PERSON });
    const body = JSON.stringify(payload);

    // Gateway: a forgery is refused and recorded; the real one is durable before 202.
    const forged = await fetch(`${stack.url('webhook-gateway')}/webhooks/didit`, { method: 'POST', headers: diditHeaders(body, 'not-the-secret'), body });
    expect(forged.status).toBe(401);
    const accepted = await fetch(`${stack.url('webhook-gateway')}/webhooks/didit`, { method: 'POST', headers: diditHeaders(body, stack.env.DIDIT_WEBHOOK_SECRET.split(',')[0]), body });
    expect(accepted.status).toBe(202);
    const { id } = (await accepted.json()) as { id: string };
    const received = await waitFor(() => reader.events(Topics.WebhooksInbound).find((e) => e.id === id), { what: 'webhook.received' });
    expect((received.data as { sessionId: string }).sessionId).toBe(sessionId);
    // Crypto-shredding: the payload is sealed under the subject's data key (named in ce_datakeyid);
    // on the topic nothing of the person is in clear; the project's client opens it with the keyring.
    expect(received.datakeyid).toMatch(/^dk_/);
    expect((received.data as { status?: string }).status).toBe('Approved');
    for (const value of PII) expect(JSON.stringify(received.data)).not.toContain(value);
    const opened = await openEvent(received, keyring());
    expect(JSON.stringify(opened.data)).toContain('Kovalenko-Drask');
    // Copies on retry and DLQ: decision data for a session kyc-results has not seen yet cannot be placed;
    // it goes to kyc-results.retry, and to kyc-results.dlq once its attempts run out (about 8 s).
    const early = await postDidit(diditReport({ sessionId: idOn(partition, randomUUID), subjectRef, person: PERSON, dataOnly: true }));
    // Another subject on the same partitions, to show an erasure reaches only its own person's records.
    const other = await approvedSubject({ sessionId: idOn(partition, randomUUID), subjectRef: idOn(partition, newSubjectRef), person: KEPT_PERSON });
    const otherEarly = await postDidit(diditReport({ sessionId: idOn(partition, randomUUID), subjectRef: other.subjectRef, person: KEPT_PERSON, dataOnly: true }));
    const otherReceived = reader.events(Topics.WebhooksInbound).find((e) => (e.data as { sessionId?: string }).sessionId === other.sessionId) as DomainEvent;
    await waitFor(() => reader.events(Topics.WebhooksRejected).find((e) => (e.data as { status: number }).status === 401), { what: 'webhook.rejected' });

    // kyc-results: the record over HTTP and the approved event.
    const verification = await waitFor(async () => {
      const r = await api(`${stack.url('kyc-results')}/verifications/${sessionId}`);
      return r.status === 200 && r.body.status === 'approved' && r.body;
    }, { what: 'approved verification' });
    expect(verification.subjectRef).toBe(subjectRef);
    await waitFor(() => reader.events(Topics.KycVerifications).find((e) => e.type === 'kyc.verification.approved' && (e.data as { sessionId: string }).sessionId === sessionId), { what: 'kyc.verification.approved' });

    // aml-trigger: screened against the sample list, a hit and an alert.
    const completed = await waitFor(() => reader.events(Topics.AmlScreenings).find((e) => e.type === EventTypes.AmlScreeningCompleted && (e.data as { sessionId?: string; provider: string }).sessionId === sessionId && (e.data as { provider: string }).provider !== 'didit'), { what: 'aml.screening.completed' });
    expect(['match', 'review']).toContain((completed.data as { outcome: string }).outcome);
    const alert = await waitFor(() => reader.events(Topics.ComplianceAlerts).find((e) => e.type === EventTypes.ComplianceAlertRaised && (e.data as { sessionId?: string }).sessionId === sessionId), { what: 'compliance.alert.raised' });
    const screenings = await api(`${stack.url('aml-trigger')}/subjects/${subjectRef}/screenings`);
    expect(screenings.status).toBe(200);
    expect(JSON.stringify(screenings.body)).toContain((completed.data as { screeningId: string }).screeningId);

    // audit-log: every step in the session's timeline, and the chain verifies.
    const timeline = await waitFor(async () => {
      const r = await api(`${stack.url('audit-log')}/sessions/${sessionId}/timeline`);
      const types: string[] = JSON.stringify(r.body).match(/"type":"[a-z._]+"/g) ?? [];
      // kyc.identity.accessed: the admin reads above were shown the identity unmasked.
      return ['webhook.received', 'kyc.verification.approved', 'kyc.identity.accessed', 'aml.screening.completed', 'compliance.alert.raised'].every((t) => types.includes(`"type":"${t}"`)) && r.body;
    }, { what: 'the complete timeline', timeoutMs: 60_000 });
    expect(JSON.stringify(timeline)).toContain((alert.data as { alertId: string }).alertId);
    expect((await api(`${stack.url('audit-log')}/audit/verify`)).body.ok).toBe(true);
    await waitFor(() => reader.events(Topics.ComplianceAlerts).find((e) => (e.data as { sessionId?: string }).sessionId === other.sessionId), { what: "the kept person's alert" });

    // The early reports were retried and then dead-lettered: real copies of both people on retry and DLQ.
    for (const id of [early, otherEarly]) await waitFor(() => reader.on(KYC_DLQ).find((r) => r.headers.ce_id === id), { what: `webhook ${id} on ${KYC_DLQ}`, timeoutMs: 60_000 });
    const copies = [KYC_RETRY, KYC_DLQ].flatMap((t) => reader.on(t)).filter((r) => r.headers.ce_id === early);
    expect(copies.filter((r) => r.topic === KYC_RETRY).length).toBeGreaterThanOrEqual(1);
    expect(copies.filter((r) => r.topic === KYC_DLQ)).toHaveLength(1);
    for (const copy of copies) {
      // Each copy carries the person (it opens with the keyring) and nothing of them in clear, value or headers.
      expect([...PII, PERSON.first_name].filter((v) => `${copy.value} ${JSON.stringify(copy.headers)}`.includes(v))).toEqual([]);
      expect(copy.event?.datakeyid).toBe(received.datakeyid);
      expect(JSON.stringify((await openEvent(copy.event as DomainEvent, keyring())).data)).toContain('Kovalenko-Drask');
    }

    // Crypto-shredding: a plain consumer of every topic finds nothing of the person in clear.
    expect(personalDataOnTopics()).toEqual([]);

    // retention: erasure finishes only when every data-holding service confirmed.
    const requested = await api(`${stack.url('retention')}/erasure-requests`, { method: 'POST', body: JSON.stringify({ subjectRef, reason: 'GDPR art. 17 request' }) });
    expect(requested.status).toBe(202);
    const finished = await waitFor(async () => {
      const r = await api(`${stack.url('retention')}/erasure-requests/${requested.body.id}`);
      return r.body?.status === 'finished' && r.body;
    }, { what: 'erasure finished', timeoutMs: 60_000 });
    const confirmedBy = JSON.stringify(finished);
    for (const service of ['webhook-gateway', 'kyc-results', 'aml-trigger', 'audit-log']) expect(confirmedBy).toContain(service);
    await waitFor(() => reader.events(Topics.RetentionEvents).find((e) => e.type === EventTypes.RetentionErasureFinished), { what: 'retention.erasure.finished' });
    // The erasure destroyed the person's data key: the sealed copy on the topic is unreadable for good,
    // while the other subject's record still opens.
    expect(finished.keysDestroyed).toBeGreaterThanOrEqual(1);
    await expect(openEvent(received, keyring())).rejects.toBeInstanceOf(DataKeyDestroyedError);
    expect((await openEvent(otherReceived, keyring())).data).toMatchObject({ payload: { vendor_data: other.subjectRef } });
    // On every topic: each sealed record of the erased person is unreadable, each of the other person's opens.
    const sealedOf = (ref: string, session: string) =>
      reader.records.filter((r) => r.event?.datakeyid && [ref, session].includes(String((r.event.data as { subjectRef?: string }).subjectRef ?? (r.event.data as { sessionId?: string }).sessionId)));
    const erasedRecords = sealedOf(subjectRef, sessionId);
    const otherRecords = sealedOf(other.subjectRef, other.sessionId);
    expect([...new Set(erasedRecords.map((r) => r.event?.type))]).toEqual(expect.arrayContaining(['webhook.received', 'kyc.verification.approved', 'aml.screening.completed', 'compliance.alert.raised']));
    // Both people on the same partition of every topic that holds the erased one's data, retry and DLQ included.
    const partitionsOn = (records: typeof erasedRecords, topic: string) => [...new Set(records.filter((r) => r.topic === topic).map((r) => r.partition))];
    const layout = (records: typeof erasedRecords) => [...new Set(records.map((r) => r.topic))].sort().map((topic) => ({ topic, partitions: partitionsOn(records, topic) }));
    const shared = [Topics.WebhooksInbound, Topics.KycVerifications, Topics.AmlScreenings, Topics.ComplianceAlerts, KYC_RETRY, KYC_DLQ].sort().map((topic) => ({ topic, partitions: [partition] }));
    expect(layout(erasedRecords)).toEqual(expect.arrayContaining(shared));
    expect(layout(otherRecords)).toEqual(expect.arrayContaining(shared));
    for (const r of erasedRecords) await expect(openEvent(r.event as DomainEvent, keyring())).rejects.toBeInstanceOf(DataKeyDestroyedError);
    for (const r of otherRecords) await expect(openEvent(r.event as DomainEvent, keyring())).resolves.toMatchObject({ id: r.event?.id });
    const keptCopy = otherRecords.find((r) => r.topic === KYC_DLQ) as (typeof otherRecords)[number];
    expect(JSON.stringify((await openEvent(keptCopy.event as DomainEvent, keyring())).data)).toContain('Lanfeng');

    expect(await findPersonalData(databaseUrl, PII)).toEqual([]);
    expect(personalDataOnTopics()).toEqual([]);
    const after = await api(`${stack.url('kyc-results')}/verifications/${sessionId}`);
    expect(JSON.stringify(after.body ?? {})).not.toContain('Kovalenko');
    expect((await api(`${stack.url('audit-log')}/audit/verify`)).body.ok).toBe(true);
  });

  /** Every record (value and headers) on any topic that holds one of the person's values in clear. */
  const personalDataOnTopics = (): string[] =>
    allTopics().flatMap((topic) =>
      reader.on(topic).flatMap((r) => [...PII, PERSON.first_name].filter((v) => `${r.value} ${JSON.stringify(r.headers)}`.includes(v)).map((v) => `${topic}@${r.partition}:${r.offset} ∋ ${v}`)),
    );

  /** The project's decryption client over the stack's keyring (a fresh cache each time). */
  const keyring = () => new LocalKeyring({ query: (text: string, params?: unknown[]) => sql(databaseUrl, text, params) }, stack.env.KEYRING_MASTER_KEY);

  /** Posts a signed Didit webhook; answers the id of the event the gateway published. */
  async function postDidit(payload: Record<string, unknown>): Promise<string> {
    const body = JSON.stringify(payload);
    const res = await fetch(`${stack.url('webhook-gateway')}/webhooks/didit`, { method: 'POST', headers: diditHeaders(body, stack.env.DIDIT_WEBHOOK_SECRET.split(',')[0]), body });
    expect(res.status).toBe(202);
    return ((await res.json()) as { id: string }).id;
  }

  /** Posts an approved session (a fresh subject unless named) and waits until every service has seen it. */
  async function approvedSubject(of: { sessionId?: string; subjectRef?: string; person?: Record<string, string> } = {}): Promise<{ subjectRef: string; sessionId: string }> {
    const payload = diditReport({ sessionId: of.sessionId ?? randomUUID(), subjectRef: of.subjectRef ?? newSubjectRef(), person: of.person });
    await postDidit(payload);
    const sessionId = payload.session_id as string;
    await waitFor(() => reader.events(Topics.AmlScreenings).find((e) => e.type === EventTypes.AmlScreeningCompleted && (e.data as { sessionId?: string }).sessionId === sessionId), { what: 'screened' });
    await waitFor(async () => (await api(`${stack.url('audit-log')}/sessions/${sessionId}/timeline`)).status === 200, { what: 'audited' });
    return { subjectRef: payload.vendor_data as string, sessionId };
  }

  /**
   * A Didit approval of `person` for the session and subject; with `dataOnly`, a `data.updated` report
   * (decision data, no status), which kyc-results cannot apply before the session's first status.
   */
  function diditReport(o: { sessionId: string; subjectRef: string; person?: Record<string, string>; dataOnly?: boolean }): Record<string, unknown> {
    const payload = diditSession('v3-approved', { session_id: o.sessionId, vendor_data: o.subjectRef });
    const decision = payload.decision as { session_id: string; id_verifications: Array<Record<string, unknown>> };
    decision.session_id = o.sessionId;
    if (o.person) Object.assign(decision.id_verifications[0], o.person);
    if (!o.dataOnly) return payload;
    const data: Record<string, unknown> = { ...payload, webhook_type: 'data.updated' };
    delete data.status;
    return data;
  }

  it('records and screens approved people from Veriff and Persona as it does Didit\'s: a listed person raises an alert', async () => {
    const post = async (provider: string, request: { body: Buffer; headers: Record<string, string> }) =>
      (await fetch(`${stack.url('webhook-gateway')}/webhooks/${provider}`, { method: 'POST', headers: request.headers, body: request.body })).status;
    const veriffRef = `e2e-veriff-${randomBytes(4).toString('hex')}`;
    const veriff = veriffDecision({ vendorData: veriffRef, person: { firstName: PERSON.first_name, lastName: PERSON.last_name, dateOfBirth: PERSON.date_of_birth, nationality: 'UA', idNumber: PERSON.document_number } });
    expect(await post('veriff', veriffRequest(veriff, stack.env.VERIFF_SHARED_SECRET, stack.env.VERIFF_API_KEY))).toBe(202);
    const personaRef = `e2e-persona-${randomBytes(4).toString('hex')}`;
    const persona = personaEvent({ 'reference-id': personaRef, 'name-first': 'Maren', 'name-last': 'Olsvik-Tamberg', birthdate: '1991-07-19' });
    expect(await post('persona', personaRequest(persona, stack.env.PERSONA_WEBHOOK_SECRET))).toBe(202);
    // A forged one from each is refused.
    expect(await post('veriff', veriffRequest(veriff, 'not-the-shared-secret-000', stack.env.VERIFF_API_KEY))).toBe(401);

    const sessions = { [veriffRef]: (veriff.verification as { id: string }).id, [personaRef]: ((persona.data as any).attributes.payload.data as { id: string }).id };
    for (const [subjectRef, sessionId] of Object.entries(sessions)) {
      const view = await waitFor(async () => {
        const r = await api(`${stack.url('kyc-results')}/verifications/${sessionId}`);
        return r.status === 200 && r.body.status === 'approved' && r.body;
      }, { what: `the approved verification of ${subjectRef}` });
      expect(view.subjectRef).toBe(subjectRef);
      expect(view.identity.fullName).toBeTruthy();
    }
    const screened = (subjectRef: string) =>
      reader.events(Topics.AmlScreenings).find((e) => e.type === EventTypes.AmlScreeningCompleted && (e.data as { subjectRef?: string }).subjectRef === subjectRef) as DomainEvent<{ outcome: string }> | undefined;
    const listed = await waitFor(() => screened(veriffRef), { what: 'the Veriff person screened' });
    const clean = await waitFor(() => screened(personaRef), { what: 'the Persona person screened' });
    expect(listed.data.outcome).toBe('match');
    expect(clean.data.outcome).toBe('clear');
    await waitFor(() => reader.events(Topics.ComplianceAlerts).find((e) => (e.data as { subjectRef?: string }).subjectRef === veriffRef), { what: 'the alert on the Veriff person' });
  });

  it('keeps an erasure waiting while a data-holding service is down, alerts past the deadline, and finishes when it is back', async () => {
    const { subjectRef } = await approvedSubject();
    await stack.kill('kyc-results', 'SIGKILL');
    try {
      const requested = await api(`${stack.url('retention')}/erasure-requests`, { method: 'POST', body: JSON.stringify({ subjectRef, reason: 'GDPR art. 17 request' }) });
      expect(requested.status).toBe(202);
      const overdue = await waitFor(
        () => reader.events(Topics.ComplianceAlerts).find((e) => (e.data as { kind: string; erasureRequestId?: string }).kind === 'erasure_overdue' && (e.data as { erasureRequestId?: string }).erasureRequestId === requested.body.id),
        { what: 'an erasure_overdue alert', timeoutMs: 45_000 },
      );
      expect(overdue.data).toMatchObject({ subjectRef });
      const waiting = await api(`${stack.url('retention')}/erasure-requests/${requested.body.id}`);
      expect(waiting.body.status).toBe('in_progress');
      expect(JSON.stringify(waiting.body.waitingFor)).toContain('kyc-results');
      await stack.startService('kyc-results');
      await waitFor(async () => (await api(`${stack.url('retention')}/erasure-requests/${requested.body.id}`)).body?.status === 'finished', { what: 'erasure finished after the restart', timeoutMs: 60_000 });
    } finally {
      await stack.startService('kyc-results').catch(() => undefined);
    }
  });

  it('blocks an erasure under a legal hold and carries it out once the hold is lifted', async () => {
    const { subjectRef, sessionId } = await approvedSubject();
    const hold = await api(`${stack.url('retention')}/legal-holds`, { method: 'POST', body: JSON.stringify({ subjectRef, reason: 'litigation hold' }) });
    expect(hold.status).toBe(201);
    const requested = await api(`${stack.url('retention')}/erasure-requests`, { method: 'POST', body: JSON.stringify({ subjectRef, reason: 'GDPR art. 17 request' }) });
    expect(requested.status).toBe(202);
    const blocked = await waitFor(async () => {
      const r = await api(`${stack.url('retention')}/erasure-requests/${requested.body.id}`);
      return r.body?.status === 'blocked_by_legal_hold' && r.body;
    }, { what: 'blocked_by_legal_hold' });
    expect(JSON.stringify(blocked)).toContain(hold.body.id);
    // Nothing was erased meanwhile: the verification still shows the subject.
    expect((await api(`${stack.url('kyc-results')}/verifications/${sessionId}`)).body.subjectRef).toBe(subjectRef);
    expect((await api(`${stack.url('retention')}/legal-holds/${hold.body.id}`, { method: 'DELETE' })).status).toBe(200);
    await waitFor(async () => (await api(`${stack.url('retention')}/erasure-requests/${requested.body.id}`)).body?.status === 'finished', { what: 'erasure finished after the hold was lifted', timeoutMs: 60_000 });
    await waitFor(async () => (await api(`${stack.url('kyc-results')}/verifications/${sessionId}`)).body.subjectRef === null, { what: 'subject erased in kyc-results' });
    expect((await api(`${stack.url('audit-log')}/audit/verify`)).body.ok).toBe(true);
  });
});
