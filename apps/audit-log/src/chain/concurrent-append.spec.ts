import { randomUUID } from 'node:crypto';
import { ConsumerGroups, EventSources, kycEventType, newEvent, Topics, type DomainEvent } from '@compliance/contracts';
import { TopicNamespace } from '@compliance/messaging';
import type { ServiceApp } from '@compliance/platform';
import { waitFor } from '@compliance/testing';
import { AuditWorld, chainDirectly, getJson } from '../../test/audit-harness';
import { policyChanged } from '../../test/suite-events';
import { testKafka } from '@compliance/messaging/testing';

function statusEvent(sessionId: string, n: number): DomainEvent {
  return newEvent({
    type: kycEventType('in_progress'),
    source: EventSources.KycResults,
    subject: sessionId,
    data: { sessionId, provider: 'didit', status: 'in_progress', occurredAt: new Date().toISOString(), change: 'data_updated', workflowId: `w-${n}` },
  });
}

describe('two audit-log instances appending concurrently (real broker, real Postgres)', () => {
  const world = new AuditWorld('auditconc');
  let first: ServiceApp;
  let second: ServiceApp;

  async function groupMembers(): Promise<number> {
    const admin = testKafka('audit-conc-admin').admin();
    await admin.connect();
    try {
      const { groups } = await admin.describeGroups([new TopicNamespace(world.namespace).physical(ConsumerGroups.AuditLog)]);
      return groups[0].state === 'Stable' ? groups[0].members.length : 0;
    } finally {
      await admin.disconnect();
    }
  }

  beforeAll(async () => {
    await world.setUp();
    [first, second] = await Promise.all([world.start({ AUDIT_CHECKPOINT_EVERY: '50' }), world.start({ AUDIT_CHECKPOINT_EVERY: '50' })]);
    await waitFor(async () => (await groupMembers()) === 2, { what: 'both instances in the consumer group', timeoutMs: 60_000 });
  });

  afterAll(() => world.tearDown());

  it('shares the partitions between both instances and still builds one unbroken chain', async () => {
    const events = Array.from({ length: 300 }, (_, i) => statusEvent(`session-${i % 60}`, i));
    const others = Array.from({ length: 60 }, () => policyChanged());
    await Promise.all([world.send(Topics.KycVerifications, events), world.send(Topics.RetentionEvents, others)]);
    await waitFor(async () => (await world.entryCount()) >= 360, { what: '360 entries', timeoutMs: 60_000 });
    expect(await groupMembers()).toBe(2);
    const rows = await world.query<{ sequence: string; prev_hash: string; hash: string }>('SELECT sequence, prev_hash, hash FROM audit_log.audit_entry ORDER BY sequence');
    expect(rows.map((r) => Number(r.sequence))).toEqual(rows.map((_, i) => i + 1));
    expect(rows.slice(1).every((r, i) => r.prev_hash === rows[i].hash)).toBe(true);
    const report = (await getJson(first, '/audit/verify')).body;
    expect(report).toMatchObject({ ok: true, entries: 360 });
    expect(report.checkpoints.verified).toBe(report.checkpoints.total);
  });

  it('serializes many simultaneous transactions from both instances into one chain without a fork', async () => {
    const before = await world.entryCount();
    const batch = (n: number) => Array.from({ length: 10 }, () => ({ eventId: randomUUID(), type: 'test.burst', source: 'urn:test', occurredAt: new Date(), data: { n } }));
    await Promise.all(Array.from({ length: 20 }, (_, i) => chainDirectly(i % 2 ? first : second, batch(i))));
    expect(await world.entryCount()).toBe(before + 200);
    expect((await getJson(second, '/audit/verify')).body).toMatchObject({ ok: true, entries: before + 200 });
  });
});
