import { randomBytes, randomUUID } from 'node:crypto';
import { DataKeyDestroyedError, encodeEvent, EventSources, EventTypes, isSealed, newEvent, openEvent, validateEvent, type DomainEvent, type ErasureRequestedData } from '@compliance/contracts';
import { EventProducer, TopicNamespace } from '@compliance/messaging';
import { LocalKeyring } from '@compliance/persistence';
import { diditSession, waitFor } from '@compliance/testing';
import { sql } from '@compliance/persistence/testing';
import { testKafka, type CollectedRecord, type TopicReader } from '@compliance/messaging/testing';
import { Topics } from '@compliance/contracts';
import { nonEmpty, postDidit, readGatewayTopics, startGateway, type Gateway } from '../../test/gateway-harness';

/** Crypto-shredding at the gateway: the provider's payload leaves sealed under the subject's data key. */
describe('POST /webhooks/didit with a keyring: the payload is sealed on webhooks.inbound.v1 (real HTTP, Kafka, Postgres)', () => {
  const MASTER = randomBytes(32).toString('base64');
  let gw: Gateway;
  let reader: TopicReader;
  let producer: EventProducer;
  const keyring = () => new LocalKeyring({ query: (text: string, params?: unknown[]) => sql(gw.databaseUrl, text, params) }, MASTER);
  const recordOf = (id: unknown) => waitFor(() => nonEmpty(reader.on(Topics.WebhooksInbound).filter((r) => r.event?.id === id)), { what: 'webhook.received' }).then(([r]) => r as CollectedRecord & { event: DomainEvent });

  beforeAll(async () => {
    gw = await startGateway('gw-seal', { KEYRING_MASTER_KEY: MASTER });
    reader = await readGatewayTopics(gw.namespace);
    producer = new EventProducer(testKafka('gw-seal'), new TopicNamespace(gw.namespace));
  });

  afterAll(async () => {
    await producer?.disconnect();
    await reader?.stop();
    await gw?.app.close();
  });

  it('keeps routing fields in clear, seals the rest under the subject key named in ce_datakeyid, and the keyring opens it', async () => {
    const payload = diditSession('v3-approved', { vendor_data: `sealed-${randomUUID()}` });
    const body = JSON.stringify(payload);
    const res = await postDidit(gw.url, body);
    expect(res.status).toBe(202);
    const record = await recordOf(res.body.id);
    const data = record.event.data as Record<string, unknown>;
    expect(data).toMatchObject({ sessionId: payload.session_id, subjectRef: payload.vendor_data, status: payload.status, webhookType: payload.webhook_type, deliveryId: payload.event_id });
    expect(isSealed(data.payload)).toBe(true);
    expect(record.headers.ce_datakeyid).toMatch(/^dk_/);
    expect(record.event.datakeyid).toBe(record.headers.ce_datakeyid);
    // Nothing of the person's in the record's value.
    const personal = (JSON.stringify(payload.decision).match(/"(first_name|last_name|date_of_birth|document_number)":"[^"]+"/g) ?? []).map((pair) => pair.split(':')[1]);
    expect(personal.length).toBeGreaterThanOrEqual(4);
    for (const value of personal) expect(record.value).not.toContain(value);
    expect((await openEvent(record.event, keyring())).data).toMatchObject({ payload });

    // The same subject's next session uses the same key; an erasure of the subject makes both unreadable.
    const next = diditSession('v3-approved', { vendor_data: payload.vendor_data });
    const second = await recordOf((await postDidit(gw.url, JSON.stringify(next))).body.id);
    expect(second.headers.ce_datakeyid).toBe(record.headers.ce_datakeyid);
    expect(await keyring().destroy({ subjectRefs: [payload.vendor_data as string] })).toBe(1);
    await expect(openEvent(record.event, keyring())).rejects.toBeInstanceOf(DataKeyDestroyedError);
    await expect(openEvent(second.event, keyring())).rejects.toBeInstanceOf(DataKeyDestroyedError);
  });

  it('seals a webhook that names no subject under its session key', async () => {
    const payload = diditSession('v3-approved');
    delete (payload as Record<string, unknown>).vendor_data;
    const res = await postDidit(gw.url, JSON.stringify(payload));
    expect(res.status).toBe(202);
    const record = await recordOf(res.body.id);
    const [issued] = await keyring().keysFor([{ sessionId: payload.session_id as string }]);
    expect(record.headers.ce_datakeyid).toBe(issued.keyId);
    expect((await openEvent(record.event, keyring())).data).toMatchObject({ payload });
  });

  it('publishes a new webhook about an erased subject with its routing fields only: 202, no payload, no new key; others sealed as before', async () => {
    const subject = `erased-${randomUUID()}`;
    const before = diditSession('v3-approved', { vendor_data: subject });
    const first = await recordOf((await postDidit(gw.url, JSON.stringify(before))).body.id); // the gateway now holds the subject's key in its cache
    expect(isSealed((first.event.data as Record<string, unknown>).payload)).toBe(true);

    // The erasure: the keys destroyed, the gateway told (it forgets its cached keys and confirms).
    expect(await keyring().destroy({ subjectRefs: [subject] })).toBe(1);
    const erasure: ErasureRequestedData = { requestId: randomUUID(), subjectRef: subject, reason: 'data subject request', expectedServices: ['webhook-gateway'], requestedAt: new Date().toISOString() };
    await producer.send(Topics.RetentionCommands, [encodeEvent(newEvent({ type: EventTypes.RetentionErasureRequested, source: EventSources.Retention, subject, data: erasure }), subject)]);
    await waitFor(() => nonEmpty(reader.on(Topics.RetentionEvents).filter((r) => (r.event?.data as { requestId?: string }).requestId === erasure.requestId)), { what: 'the erasure confirmed' });
    const liveKeys = async () => (await sql<{ n: number }>(gw.databaseUrl, 'SELECT count(*)::int AS n FROM keyring.data_keys WHERE destroyed_at IS NULL'))[0].n;
    const keysBefore = await liveKeys();

    // A new session of the erased subject (not a replay): accepted, published without anything of the person.
    const later = diditSession('v3-approved', { vendor_data: subject });
    const res = await postDidit(gw.url, JSON.stringify(later));
    expect(res.status).toBe(202);
    const record = await recordOf(res.body.id);
    expect(record.event.data).toEqual({
      source: 'didit',
      scheme: 'didit',
      receivedAt: expect.any(String),
      deliveryId: later.event_id,
      fingerprint: expect.any(String),
      sessionId: later.session_id,
      subjectRef: subject,
      status: later.status,
      webhookType: later.webhook_type,
      payload: {},
      redacted: true,
    });
    expect(() => validateEvent(record.event)).not.toThrow();
    expect(record.headers.ce_datakeyid).toBeUndefined();
    expect(record.event.datakeyid).toBeUndefined();
    const personal = (JSON.stringify(later.decision).match(/"(first_name|last_name|date_of_birth|document_number)":"[^"]+"/g) ?? []).map((pair) => pair.split(':')[1]);
    expect(personal.length).toBeGreaterThanOrEqual(4);
    for (const value of personal) expect(record.value).not.toContain(value);
    expect(await liveKeys()).toBe(keysBefore); // no key issued for the erased subject
    expect((await openEvent(record.event, keyring())).data).toEqual(record.event.data); // nothing sealed to open

    // Its retry is a duplicate, as before: no second event.
    const retry = await postDidit(gw.url, JSON.stringify(later));
    expect(retry.body).toMatchObject({ id: res.body.id, duplicate: true });

    // Another subject in the meantime: sealed under a key of its own, as before.
    const other = diditSession('v3-approved', { vendor_data: `kept-${randomUUID()}` });
    const kept = await recordOf((await postDidit(gw.url, JSON.stringify(other))).body.id);
    expect(isSealed((kept.event.data as Record<string, unknown>).payload)).toBe(true);
    expect((kept.event.data as Record<string, unknown>).redacted).toBeUndefined();
    expect((await openEvent(kept.event, keyring())).data).toMatchObject({ payload: other });
    await new Promise((r) => setTimeout(r, 300));
    expect(reader.on(Topics.WebhooksInbound).filter((r) => r.event?.id === res.body.id)).toHaveLength(1);
  });
});
