import { randomBytes, randomUUID } from 'node:crypto';
import { DATA_HOLDING_SERVICES, DataKeyDestroyedError, EventTypes, type ErasureRequestedData } from '@compliance/contracts';
import { LocalKeyring } from '@compliance/persistence';
import { sql } from '@compliance/persistence/testing';
import { waitFor } from '@compliance/testing';
import { RetentionHarness } from '../../test/retention-harness';

const DAY_MS = 86_400_000;
const subjectRef = (name: string) => `${name}-${randomUUID().slice(0, 8)}`;

describe('legal holds (real Kafka, real Postgres)', () => {
  let h: RetentionHarness;

  const report = async (id: string) => (await h.api('GET', `/erasure-requests/${id}`, { as: 'analyst' })).body;
  const requested = (id: string) => h.commands(EventTypes.RetentionErasureRequested).find((e) => (e.data as ErasureRequestedData).requestId === id);
  const ended = (id: string) => h.events(EventTypes.RetentionErasureFinished).filter((e) => (e.data as { requestId: string }).requestId === id).map((e) => e.data);
  const hold = async (ref: string, until?: Date) => (await h.api('POST', '/legal-holds', { body: { subjectRef: ref, reason: 'litigation 2026-88', until: until?.toISOString() } })).body.id as string;
  const erase = async (ref: string) => (await h.api('POST', '/erasure-requests', { body: { subjectRef: ref, reason: 'GDPR art. 17' } })).body;

  const MASTER = randomBytes(32).toString('base64');
  const keyring = () => new LocalKeyring({ query: (text: string, params?: unknown[]) => sql(h.databaseUrl, text, params) }, MASTER);

  beforeAll(async () => {
    h = await RetentionHarness.start('holds', { KEYRING_MASTER_KEY: MASTER });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('places a hold for an admin with a reason and an optional future end, and shows it', async () => {
    const ref = subjectRef('hana');
    expect((await h.api('POST', '/legal-holds', { as: 'analyst', body: { subjectRef: ref, reason: 'x' } })).status).toBe(403);
    const invalid = [{ subjectRef: ref }, { subjectRef: ref, reason: 'x', until: 'next week' }, { subjectRef: ref, reason: 'x', until: new Date(h.clock.now().getTime() - 1000).toISOString() }];
    for (const body of invalid) expect((await h.api('POST', '/legal-holds', { body })).status).toBe(400);
    const placed = await h.api('POST', '/legal-holds', { body: { subjectRef: ref, reason: 'tax audit' } });
    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({ subjectRef: ref, reason: 'tax audit', until: null, placedBy: 'adm', active: true });
    expect((await h.api('GET', `/legal-holds/${placed.body.id}`, { as: 'analyst' })).body).toMatchObject({ id: placed.body.id, active: true });
    expect((await h.api('GET', `/legal-holds/${randomUUID()}`, { as: 'analyst' })).status).toBe(404);
    expect((await h.api('DELETE', `/legal-holds/${randomUUID()}`)).status).toBe(404);
  });

  it('blocks the erasure of a held subject, says so with the hold id, and carries it out when the hold is lifted', async () => {
    const ref = subjectRef('zeno');
    const session = randomUUID();
    await h.verification(session, ref, 'approved', h.clock.now());
    await waitFor(async () => (await h.api('GET', `/subjects/${ref}/retention`, { as: 'analyst' })).body.data.length > 0, { what: 'the session known' });
    const holdId = await hold(ref);
    const [key] = await keyring().keysFor([{ subjectRef: ref }]);
    const receipt = await erase(ref);
    expect(receipt).toMatchObject({ status: 'blocked_by_legal_hold', legalHoldId: holdId, repeated: false });
    // Held: the person's data key stays (what it seals must stay readable for the hold).
    expect((await keyring().dataKey(key.keyId)).equals(key.key)).toBe(true);
    expect((await report(receipt.id)).keysDestroyed).toBeNull();
    expect(await report(receipt.id)).toMatchObject({ status: 'blocked_by_legal_hold', legalHoldId: holdId, dispatchedAt: null });
    await waitFor(() => ended(receipt.id).length === 1, { what: 'retention.erasure.finished (blocked)' });
    expect(ended(receipt.id)[0]).toMatchObject({ status: 'blocked_by_legal_hold', legalHoldId: holdId, subjectRef: ref });
    await h.sweeps(2);
    expect(requested(receipt.id)).toBeUndefined();
    expect((await erase(ref))).toMatchObject({ id: receipt.id, repeated: true });

    const lifted = await h.api('DELETE', `/legal-holds/${holdId}`);
    expect(lifted.body).toMatchObject({ active: false, liftedBy: 'adm', releasedErasureRequests: [receipt.id] });
    const command = await waitFor(() => requested(receipt.id), { what: 'the erasure carried out' });
    expect(command.data).toMatchObject({ subjectRef: ref, sessionIds: [session] });
    // Carried out: the key is gone.
    await expect(keyring().dataKey(key.keyId)).rejects.toBeInstanceOf(DataKeyDestroyedError);
    expect((await report(receipt.id)).keysDestroyed).toBe(1);
    for (const service of DATA_HOLDING_SERVICES) await h.confirmErasure(receipt.id, ref, service);
    await waitFor(async () => (await report(receipt.id)).status === 'finished', { what: 'finished' });
    await waitFor(() => ended(receipt.id).length === 2, { what: 'retention.erasure.finished (finished)' });
    expect(ended(receipt.id).map((e) => (e as { status: string }).status)).toEqual(['blocked_by_legal_hold', 'finished']);
  });

  it('names the hold that blocks longest; lifting it leaves the request blocked by the other, whose expiry releases it', async () => {
    const ref = subjectRef('wolf');
    const now = h.clock.now().getTime();
    const shorter = await hold(ref, new Date(now + DAY_MS));
    const longer = await hold(ref, new Date(now + 3 * DAY_MS));
    const receipt = await erase(ref);
    expect(receipt).toMatchObject({ status: 'blocked_by_legal_hold', legalHoldId: longer });

    const lifted = await h.api('DELETE', `/legal-holds/${longer}`);
    expect(lifted.body.releasedErasureRequests).toEqual([]);
    expect(await report(receipt.id)).toMatchObject({ status: 'blocked_by_legal_hold', legalHoldId: shorter });
    await h.sweeps(1);
    expect(requested(receipt.id)).toBeUndefined();

    h.clock.advance(2 * DAY_MS);
    await waitFor(() => requested(receipt.id), { what: 'the erasure carried out once the remaining hold expired' });
    expect((await report(receipt.id)).status).toBe('in_progress');
  });

  it('withdraws a request still blocked by a hold; a request already sent cannot be withdrawn', async () => {
    const ref = subjectRef('vera');
    const holdId = await hold(ref);
    const blocked = await erase(ref);
    const withdrawn = await h.api('DELETE', `/erasure-requests/${blocked.id}`);
    expect(withdrawn.body).toMatchObject({ id: blocked.id, status: 'withdrawn' });
    await h.api('DELETE', `/legal-holds/${holdId}`);
    await waitFor(() => ended(blocked.id).some((e) => (e as { status: string }).status === 'withdrawn'), { what: 'retention.erasure.finished (withdrawn)' });
    await h.sweeps(2);
    expect(requested(blocked.id)).toBeUndefined();
    expect((await report(blocked.id)).status).toBe('withdrawn');

    const sent = await erase(subjectRef('ivan'));
    const refused = await h.api('DELETE', `/erasure-requests/${sent.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain('only a request blocked by a legal hold can be withdrawn');
  });

  it('warns when a hold comes after the erasure was already sent to the services', async () => {
    const ref = subjectRef('lara');
    const sent = await erase(ref);
    const placed = await h.api('POST', '/legal-holds', { body: { subjectRef: ref, reason: 'late' } });
    expect(placed.status).toBe(201);
    expect(placed.body.warning).toContain(sent.id);
  });
});
