import { Injectable } from '@nestjs/common';
import { TopicNamespace } from '@compliance/messaging';
import { PinoLogger } from 'nestjs-pino';
import { type Admin, ConfigResourceTypes, ConfigSource, type IResourceConfig, Kafka } from 'kafkajs';
import { RETENTION_MANAGED_TOPICS } from '@compliance/contracts';
import { DAY_MS } from '../clock/clock';
import { PoliciesService } from './policies.service';

/** Kafka's `retention.ms` for a policy: indefinite is -1 (never deleted by time). */
export const retentionMsOf = (days: number | null): string => (days === null ? '-1' : String(days * DAY_MS));

/**
 * Keeps the Kafka copies of personal data (RETENTION_MANAGED_TOPICS: the personal-data topics and the
 * retry and dead-letter topics) no longer than the raw_webhooks policy allows, through the admin API. Applied at start (first sweep), on a policy change, and
 * again by the sweep whenever the last attempt failed or another replica changed the policy.
 */
@Injectable()
export class TopicRetentionService {
  private appliedMs?: string;

  constructor(
    private readonly kafka: Kafka,
    private readonly logger: PinoLogger,
    private readonly namespace: TopicNamespace,
    private readonly policies: PoliciesService,
  ) {}

  /** The apply in progress: the sweep and a policy change must not overlap, or the older value can land last. */
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * Applies the current raw_webhooks policy unless this process already did; returns the value in
   * force. One at a time, each reading the policy when its turn comes: a sweep's apply still in flight
   * when the policy changes finishes first, then the change is read and applied.
   */
  ensureApplied(): Promise<string> {
    const turn = this.queue.then(() => this.applyCurrent());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async applyCurrent(): Promise<string> {
    const ms = retentionMsOf(await this.policies.retentionDays('raw_webhooks'));
    if (ms !== this.appliedMs) {
      await this.apply(ms);
      this.appliedMs = ms;
      this.logger.info({ retentionMs: ms, topics: RETENTION_MANAGED_TOPICS }, 'topic retention applied');
    }
    return ms;
  }

  /**
   * The legacy AlterConfigs request (the only one kafkajs 2.2 speaks) replaces a topic's whole
   * override set, so the topic's other overrides are read first and sent back unchanged.
   */
  private async apply(retentionMs: string): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const names = RETENTION_MANAGED_TOPICS.map((t) => this.namespace.physical(t));
      const described = await admin.describeConfigs({ includeSynonyms: false, resources: names.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })) });
      const resources: IResourceConfig[] = described.resources.map((r) => ({
        type: ConfigResourceTypes.TOPIC,
        name: r.resourceName,
        configEntries: [
          ...r.configEntries
            .filter((e) => e.configSource === ConfigSource.TOPIC_CONFIG && e.configName !== 'retention.ms' && !e.isSensitive && !e.readOnly)
            .map((e) => ({ name: e.configName, value: e.configValue })),
          { name: 'retention.ms', value: retentionMs },
        ],
      }));
      await admin.alterConfigs({ validateOnly: false, resources });
      await this.untilVisible(admin, names, retentionMs);
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * The controller answers AlterConfigs once the change is committed; a broker serves DescribeConfigs
   * from its own copy of the metadata, which catches up a moment later. Waiting until the broker shows
   * the new value makes the value this returns the one in force, and keeps the next read-modify-write
   * (which must see the topic's other overrides) from reading an older override set.
   */
  private async untilVisible(admin: Admin, names: string[], retentionMs: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const described = await admin.describeConfigs({ includeSynonyms: false, resources: names.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })) });
      const behind = described.resources.filter((r) => r.configEntries.find((e) => e.configName === 'retention.ms')?.configValue !== retentionMs);
      if (behind.length === 0) return;
      if (Date.now() > deadline) throw new Error(`retention.ms ${retentionMs} not visible on ${behind.map((r) => r.resourceName).join(', ')} after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
