import type { KafkaMessage } from 'kafkajs';
import { dlqTopicOf, retryTopicOf, type DomainEvent } from '@compliance/contracts';
import type { ConsumedRecord } from './event-dispatch';
import type { EventProducer } from './producer';
import { PermanentEventError } from './errors';
import { messagingMetrics as metrics } from './metrics';
import { backoffMs, errorText, RetryHeaders, type RetryPolicy } from './retry-headers';

export interface Prepared {
  record: ConsumedRecord;
  message: KafkaMessage;
  event?: DomainEvent;
  error?: Error;
}

/** Sends failed records on: to `<group>.retry` while attempts remain, else to `<group>.dlq`. */
export class DeadLetterRouter {
  constructor(
    private readonly producer: EventProducer,
    private readonly group: string,
    private readonly policy: RetryPolicy,
  ) {}

  async retryOrDeadLetter(p: Prepared, err: Error): Promise<void> {
    const attempt = p.record.attempt + 1;
    if (err instanceof PermanentEventError || attempt >= this.policy.maxAttempts) {
      await this.deadLetter(p, err instanceof PermanentEventError ? 'rejected' : 'exhausted', err, attempt);
      return;
    }
    const now = Date.now();
    await this.producer.send(retryTopicOf(this.group), [
      this.forward(p, {
        [RetryHeaders.Attempt]: String(attempt),
        [RetryHeaders.NextAttemptAt]: new Date(now + backoffMs(this.policy, attempt)).toISOString(),
        [RetryHeaders.LastError]: errorText(err),
        [RetryHeaders.FailedAt]: new Date(now).toISOString(),
      }),
    ]);
    metrics.retried.inc({ group: this.group, topic: p.record.topic });
  }

  async deadLetter(p: Prepared, reason: 'invalid' | 'rejected' | 'exhausted', err = p.error, attempt = p.record.attempt): Promise<void> {
    const code = (err as { code?: string } | undefined)?.code ?? reason.toUpperCase();
    await this.producer.send(dlqTopicOf(this.group), [
      this.forward(p, {
        [RetryHeaders.Attempt]: String(attempt),
        [RetryHeaders.LastError]: errorText(err),
        [RetryHeaders.ErrorCode]: String(code),
        [RetryHeaders.FailedAt]: new Date().toISOString(),
      }),
    ]);
    metrics.deadLettered.inc({ group: this.group, topic: p.record.topic, reason });
  }

  /** The original record (key, value, CloudEvents headers) plus where it came from and why it moved. */
  private forward(p: Prepared, extra: Record<string, string>) {
    const headers: Record<string, string> = {
      ...p.record.headers,
      [RetryHeaders.OriginalTopic]: p.record.topic,
      [RetryHeaders.OriginalPartition]: p.record.headers[RetryHeaders.OriginalPartition] ?? String(p.record.partition),
      [RetryHeaders.OriginalOffset]: p.record.headers[RetryHeaders.OriginalOffset] ?? p.record.offset,
      [RetryHeaders.ConsumerGroup]: this.group,
      ...extra,
    };
    return { key: p.record.key ?? '', value: p.record.value ?? '', headers };
  }
}
