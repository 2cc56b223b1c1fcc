import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Kafka, type Admin, type GroupDescriptions } from 'kafkajs';

/** One admin connection, opened when first needed and kept (offsets are read on every operations page). */
@Injectable()
export class KafkaAdmin implements OnApplicationShutdown {
  private connecting?: Promise<Admin>;

  constructor(private readonly kafka: Kafka) {}

  topicOffsets(topic: string): Promise<Array<{ partition: number; offset: string; high: string; low: string }>> {
    return this.call((a) => a.fetchTopicOffsets(topic));
  }

  /** Committed offsets of a group on these topics (-1 where it has committed none). */
  groupOffsets(groupId: string, topics: string[]): Promise<Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>> {
    return this.call((a) => a.fetchOffsets({ groupId, topics }));
  }

  describeGroups(groupIds: string[]): Promise<GroupDescriptions> {
    return this.call((a) => a.describeGroups(groupIds));
  }

  async onApplicationShutdown(): Promise<void> {
    const admin = await this.connecting?.catch(() => undefined);
    await admin?.disconnect().catch(() => undefined);
  }

  private async call<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
    if (!this.connecting) {
      const admin = this.kafka.admin();
      this.connecting = admin.connect().then(() => admin);
      this.connecting.catch(() => (this.connecting = undefined));
    }
    return fn(await this.connecting);
  }
}
