import { randomBytes, randomUUID } from 'node:crypto';
import { DataKeyDestroyedError, isSealed, openEvent, type DomainEvent } from '@compliance/contracts';
import { LocalKeyring } from '@compliance/persistence';
import { diditSession, waitFor } from '@compliance/testing';
import { sql } from '@compliance/persistence/testing';
import type { CollectedRecord, TopicReader } from '@compliance/messaging/testing';
import { Topics } from '@compliance/contracts';
import { nonEmpty, postDidit, readGatewayTopics, startGateway, type Gateway } from '../../test/gateway-harness';

/** Crypto-shredding at the gateway: the provider's payload leaves sealed under the subject's data key. */
describe('POST /webhooks/didit with a keyring: the payload is sealed on webhooks.inbound.v1 (real HTTP, Kafka, Postgres)', () => {
  const MASTER = randomBytes(32).toString('base64');
  let gw: Gateway;
  let reader: TopicReader;
  const keyring = () => new LocalKeyring({ query: (text: string, params?: unknown[]) => sql(gw.databaseUrl, text, params) }, MASTER);
  const recordOf = (id: unknown) => waitFor(() => nonEmpty(reader.on(Topics.WebhooksInbound).filter((r) => r.event?.id === id)), { what: 'webhook.received' }).then(([r]) => r as CollectedRecord & { event: DomainEvent });

  beforeAll(async () => {
    gw = await startGateway('gw-seal', { KEYRING_MASTER_KEY: MASTER });
    reader = await readGatewayTopics(gw.namespace);
  });

  afterAll(async () => {
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
});
