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

/**
 * Topics whose records carry personal data; their Kafka retention follows the raw_webhooks policy.
 * Alerts name the listed entries a subject matched and carry analysts' notes: personal data too.
 */
export const PERSONAL_DATA_TOPICS: readonly TopicName[] = [
  Topics.WebhooksInbound,
  Topics.KycVerifications,
  Topics.AmlScreenings,
  Topics.ComplianceAlerts,
];

/**
 * Topic settings the suite relies on, applied when topics are set up. Signed audit checkpoints are
 * the anchor the audit chain is verified against: kept forever, compacted by checkpoint.
 */
export const TOPIC_CONFIGS: Partial<Record<TopicName, Record<string, string>>> = {
  [Topics.AuditCheckpoints]: { 'cleanup.policy': 'compact', 'retention.ms': '-1' },
};

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

/**
 * What each consumer group reads (besides its own retry topic): its `@EventConsumer` subscribes to
 * exactly these, and on a cluster with ACLs its principal may read these and no others. audit-log
 * records everything but its own checkpoints and reads those to verify the chain.
 */
export const CONSUMED_TOPICS: Record<ConsumerGroupName, readonly string[]> = {
  [ConsumerGroups.WebhookGateway]: [Topics.RetentionCommands],
  [ConsumerGroups.KycResults]: [Topics.WebhooksInbound, Topics.RetentionCommands],
  [ConsumerGroups.AmlTrigger]: [Topics.KycVerifications, Topics.RetentionCommands],
  [ConsumerGroups.Retention]: [Topics.KycVerifications, Topics.AmlScreenings, Topics.RetentionEvents],
  [ConsumerGroups.AuditLog]: [
    ...CATALOGUE_TOPICS.filter((t) => t !== Topics.AuditCheckpoints),
    ...CONSUMER_GROUPS.filter((g) => g !== ConsumerGroups.AuditLog).map(dlqTopicOf),
  ],
};

/**
 * Topics whose Kafka retention follows the raw_webhooks policy: the personal-data topics, and every
 * group's retry and dead-letter topics, which hold copies of the records their group consumed.
 */
export const RETENTION_MANAGED_TOPICS: readonly string[] = [...PERSONAL_DATA_TOPICS, ...CONSUMER_GROUPS.flatMap((g) => [retryTopicOf(g), dlqTopicOf(g)])];

/** Every topic the suite needs: the catalogue plus each group's retry and dead-letter topics. */
export function allTopics(groups: readonly string[] = CONSUMER_GROUPS): string[] {
  return [...CATALOGUE_TOPICS, ...groups.flatMap((g) => [retryTopicOf(g), dlqTopicOf(g)])];
}

/** What each topic carries and who produces it (DESIGN §6): the source of the AsyncAPI document. */
export const TOPIC_CONTRACTS: Record<TopicName, { producers: string[]; types: string[]; key: string; description: string }> = {
  'webhooks.inbound.v1': {
    producers: ['webhook-gateway', 'kyc-results'],
    types: ['webhook.received'],
    key: 'verification session id',
    description:
      "Every verified webhook, durable before the provider gets 202: Didit, Sumsub, Onfido, Veriff, Persona (scheme names the provider) and Standard Webhooks senders, plus the transitions kyc-results' reconciler read from the providers' decision APIs (origin: reconciliation). Carries the provider payload (personal data).",
  },
  'webhooks.rejected.v1': {
    producers: ['webhook-gateway'],
    types: ['webhook.rejected'],
    key: 'remote address',
    description: 'Refused webhooks, per remote address, reason and window: reason code, status, count, summed size; never the body. The first refusal of a kind in a window is reported at once, the rest summed when the window ends (WEBHOOK_REJECTION_REPORT_INTERVAL_MS).',
  },
  'kyc.verifications.v1': {
    producers: ['kyc-results'],
    types: ['kyc.verification.<status>', 'kyc.identity.accessed'],
    key: 'verification session id',
    description:
      'One event per status transition (and per identity-data change) of a verification session; and one per time someone was shown its identity unmasked (who, which fields, never the values).',
  },
  'aml.screenings.v1': {
    producers: ['aml-trigger'],
    types: ['aml.screening.requested', 'aml.screening.completed', 'aml.screening.failed', 'aml.identity.accessed'],
    key: 'verification session id (subjectRef for ad hoc screenings)',
    description: 'Screenings against sanctions/PEP watchlists, with list versions and algorithm for audit.',
  },
  'compliance.alerts.v1': {
    producers: ['aml-trigger', 'retention'],
    types: ['compliance.alert.raised', 'compliance.alert.review.proposed', 'compliance.alert.resolved'],
    key: 'verification session id or subjectRef',
    description: 'What a human must look at (possible matches, failed screenings, overdue erasures) and its resolution.',
  },
  'retention.commands.v1': {
    producers: ['retention'],
    types: ['retention.erasure.requested', 'retention.purge.due'],
    key: 'subjectRef',
    description: 'Commands every data-holding service carries out.',
  },
  'retention.events.v1': {
    producers: ['webhook-gateway', 'kyc-results', 'aml-trigger', 'audit-log', 'retention'],
    types: ['retention.erasure.completed', 'retention.purge.completed', 'retention.erasure.finished', 'retention.policy.changed'],
    key: 'subjectRef (category for policy changes)',
    description: 'Confirmations of erasures and purges, finished erasure requests and policy changes.',
  },
  'audit.checkpoints.v1': {
    producers: ['audit-log'],
    types: ['audit.checkpoint'],
    key: 'checkpoint-<sequence> (one record per checkpoint; compacted, kept forever)',
    description:
      'Signed heads of the audit hash chain (Ed25519), each chained to the previous checkpoint: the anchor `audit:verify` checks the database against, so a rewritten, truncated or silently redacted table is caught.',
  },
};
