import { ConfigResourceTypes, type Admin } from 'kafkajs';
import { EventTypes, RETENTION_MANAGED_TOPICS, Topics } from '@compliance/contracts';
import { waitFor } from '@compliance/testing';
import { RetentionHarness } from '../../test/retention-harness';
import { testKafka } from '@compliance/messaging/testing';

const DAY_MS = 86_400_000;

describe('retention policies (real Kafka, real Postgres)', () => {
  let h: RetentionHarness;
  let admin: Admin;

  async function topicConfig(topic: string): Promise<Record<string, string>> {
    const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: `${h.namespace}${topic}` }] });
    return Object.fromEntries(described.resources[0].configEntries.map((e) => [e.configName, e.configValue]));
  }

  beforeAll(async () => {
    h = await RetentionHarness.start('policies');
    admin = testKafka('retention-policies-admin').admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.disconnect();
    await h?.close();
  });

  it('lists every category with its default to an analyst, and nobody without a key', async () => {
    const res = await h.api('GET', '/policies', { as: 'analyst' });
    expect(res.status).toBe(200);
    expect(res.body.map((p: { category: string; retentionDays: number | null }) => [p.category, p.retentionDays])).toEqual([
      ['verification_data', 1825],
      ['screening_data', 1825],
      ['raw_webhooks', 30],
      ['audit_detail', 3650],
    ]);
    expect((await h.api('GET', '/policies', { as: null })).status).toBe(401);
  });

  it('rejects a retention outside 30 days to 10 years with a 400 that states the range, and keeps the policy', async () => {
    for (const retentionDays of [29, 3651, 0, -5, 45.5, '365', 'forever']) {
      const res = await h.api('PUT', '/policies/verification_data', { body: { retentionDays } });
      expect(res.status).toBe(400);
      expect(res.body.message.join(' ')).toContain('from 30 (30 days) to 3650 (10 years), or null for indefinite');
    }
    expect((await h.api('PUT', '/policies/verification_data', { body: {} })).status).toBe(400);
    const policies = (await h.api('GET', '/policies', { as: 'analyst' })).body;
    expect(policies.find((p: { category: string }) => p.category === 'verification_data').retentionDays).toBe(1825);
  });

  it('lets only an admin change a policy, and answers 404 for an unknown category', async () => {
    expect((await h.api('PUT', '/policies/verification_data', { as: 'analyst', body: { retentionDays: 100 } })).status).toBe(403);
    const unknown = await h.api('PUT', '/policies/selfies', { body: { retentionDays: 100 } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toContain('verification_data, screening_data, raw_webhooks, audit_detail');
  });

  it('announces each change with retention.policy.changed (who, before, after) and nothing when the value is unchanged', async () => {
    const res = await h.api('PUT', '/policies/screening_data', { body: { retentionDays: 2000 } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ category: 'screening_data', retentionDays: 2000, indefinite: false, updatedBy: 'adm' });
    expect((await h.api('PUT', '/policies/screening_data', { body: { retentionDays: 2000 } })).status).toBe(200);
    // A later change to another category marks the point by which a duplicate would have been published.
    expect((await h.api('PUT', '/policies/audit_detail', { body: { retentionDays: null } })).body).toMatchObject({ retentionDays: null, indefinite: true });
    const changes = await waitFor(() => {
      const all = h.events(EventTypes.RetentionPolicyChanged);
      return all.some((e) => (e.data as { category: string }).category === 'audit_detail') ? all : undefined;
    }, { what: 'the policy changes on retention.events.v1' });
    // Keyed by category, so the two land on different partitions: compare without order.
    expect(changes.map((e) => e.data)).toHaveLength(2);
    expect(changes.map((e) => e.data)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ category: 'screening_data', retentionDays: 2000, previousDays: 1825, changedBy: 'adm' }),
        expect.objectContaining({ category: 'audit_detail', retentionDays: null, previousDays: 3650, changedBy: 'adm' }),
      ]),
    );
  });

  it('keeps the Kafka copies of personal data for the raw_webhooks policy: at start, after a change, and -1 when indefinite', async () => {
    const byPolicy = (days: number) => String(days * DAY_MS);
    for (const topic of RETENTION_MANAGED_TOPICS) {
      await waitFor(async () => (await topicConfig(topic))['retention.ms'] === byPolicy(30), { what: `${topic} retention at start` });
    }
    // An unrelated override must survive: the admin API used replaces a topic's whole override set.
    const kyc = `${h.namespace}${Topics.KycVerifications}`;
    const overrides = [{ name: 'max.message.bytes', value: '300000' }, { name: 'retention.ms', value: byPolicy(30) }];
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: kyc, configEntries: overrides }] });
    // The broker shows a committed change a moment after the controller accepts it.
    await waitFor(async () => (await topicConfig(Topics.KycVerifications))['max.message.bytes'] === '300000', { what: 'the unrelated override' });

    const changed = await h.api('PUT', '/policies/raw_webhooks', { body: { retentionDays: 45 } });
    expect(changed.body.kafkaRetentionMs).toBe(byPolicy(45));
    for (const topic of RETENTION_MANAGED_TOPICS) expect((await topicConfig(topic))['retention.ms']).toBe(byPolicy(45));
    expect((await topicConfig(Topics.KycVerifications))['max.message.bytes']).toBe('300000');
    expect((await topicConfig(Topics.RetentionEvents))['retention.ms']).not.toBe(byPolicy(45));
    expect(RETENTION_MANAGED_TOPICS).toEqual(expect.arrayContaining([Topics.WebhooksInbound, Topics.ComplianceAlerts, 'kyc-results.dlq', 'audit-log.retry']));

    await h.api('PUT', '/policies/raw_webhooks', { body: { retentionDays: null } });
    for (const topic of RETENTION_MANAGED_TOPICS) expect((await topicConfig(topic))['retention.ms']).toBe('-1');
  });
});
