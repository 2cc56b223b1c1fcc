/** The topic catalogue: the one place that names every topic of the suite. */
export const Topics = {
  WebhooksInbound: 'webhooks.inbound.v1',
  WebhooksRejected: 'webhooks.rejected.v1',
  KycVerifications: 'kyc.verifications.v1',
  AmlScreenings: 'aml.screenings.v1',
  ComplianceAlerts: 'compliance.alerts.v1',
  RetentionCommands: 'retention.commands.v1',
  RetentionEvents: 'retention.events.v1',
  AuditCheckpoints: 'audit.checkpoints.v1',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];
export const CATALOGUE_TOPICS: readonly TopicName[] = Object.values(Topics);

/** Topics whose records carry personal data; their Kafka retention follows the raw_webhooks policy. */
export const PERSONAL_DATA_TOPICS: readonly TopicName[] = [
  Topics.WebhooksInbound,
  Topics.KycVerifications,
  Topics.AmlScreenings,
];

/** Consumer groups of the suite; each owns `<group>.retry` and `<group>.dlq`. */
export const ConsumerGroups = {
  WebhookGateway: 'webhook-gateway',
  KycResults: 'kyc-results',
  AmlTrigger: 'aml-trigger',
  Retention: 'retention',
  AuditLog: 'audit-log',
} as const;

export type ConsumerGroupName = (typeof ConsumerGroups)[keyof typeof ConsumerGroups];
export const CONSUMER_GROUPS: readonly ConsumerGroupName[] = Object.values(ConsumerGroups);

export const retryTopicOf = (group: string): string => `${group}.retry`;
export const dlqTopicOf = (group: string): string => `${group}.dlq`;

/** Every topic the suite needs: the catalogue plus each group's retry and dead-letter topics. */
export function allTopics(groups: readonly string[] = CONSUMER_GROUPS): string[] {
  return [...CATALOGUE_TOPICS, ...groups.flatMap((g) => [retryTopicOf(g), dlqTopicOf(g)])];
}
