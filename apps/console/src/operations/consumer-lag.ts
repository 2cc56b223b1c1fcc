import { Injectable } from '@nestjs/common';
import { CONSUMED_TOPICS, CONSUMER_GROUPS, retryTopicOf } from '@compliance/contracts';
import { TopicNamespace } from '@compliance/messaging';
import { KafkaAdmin } from '../live/kafka-admin';

export interface GroupLag {
  group: string;
  groupId: string;
  topics: string[];
  /** Records on the group's topics it has not committed yet. */
  lag: number;
  /** Partitions holding records where the group has committed nothing yet (counted from the partition's start). */
  uncommittedPartitions: number;
  state: string;
  members: number;
}

/**
 * Consumer lag per group of the suite (each group's main consumer and its retry consumer): the
 * latest offset of every partition it reads against the offset it committed, from the admin API.
 */
@Injectable()
export class ConsumerLag {
  constructor(
    private readonly admin: KafkaAdmin,
    private readonly ns: TopicNamespace,
  ) {}

  async groups(): Promise<GroupLag[]> {
    const wanted = CONSUMER_GROUPS.flatMap((g) => [
      { group: g, groupId: this.ns.physical(g), topics: CONSUMED_TOPICS[g].map((t) => this.ns.physical(t)) },
      { group: `${g} (retries)`, groupId: this.ns.physical(`${g}-retry`), topics: [this.ns.physical(retryTopicOf(g))] },
    ]);
    const topics = [...new Set(wanted.flatMap((w) => w.topics))];
    const ends = new Map(await Promise.all(topics.map(async (t) => [t, await this.admin.topicOffsets(t)] as const)));
    const described = await this.admin.describeGroups(wanted.map((w) => w.groupId));
    return Promise.all(
      wanted.map(async (w) => {
        const committed = await this.admin.groupOffsets(w.groupId, w.topics);
        let lag = 0;
        let uncommittedPartitions = 0;
        for (const t of committed) {
          for (const p of t.partitions) {
            const end = ends.get(t.topic)?.find((o) => o.partition === p.partition);
            if (!end) continue;
            const from = BigInt(p.offset) >= 0n ? BigInt(p.offset) : BigInt(end.low);
            if (BigInt(p.offset) < 0n && BigInt(end.high) > BigInt(end.low)) uncommittedPartitions++;
            lag += Number(BigInt(end.high) > from ? BigInt(end.high) - from : 0n);
          }
        }
        const g = described.groups.find((x) => x.groupId === w.groupId);
        return { group: w.group, groupId: w.groupId, topics: w.topics.map((t) => this.ns.logical(t)), lag, uncommittedPartitions, state: g?.state ?? 'Unknown', members: g?.members.length ?? 0 };
      }),
    );
  }
}
