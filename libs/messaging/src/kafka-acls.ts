import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes, type AclEntry, type Kafka } from 'kafkajs';
import { CATALOGUE_TOPICS, CONSUMED_TOPICS, CONSUMER_GROUPS, dlqTopicOf, RETENTION_MANAGED_TOPICS, retryTopicOf, TOPIC_CONTRACTS, Topics, type ConsumerGroupName, type TopicName } from '@compliance/contracts';
import type { TopicNamespace } from './kafka';

/** A service and the SASL user it authenticates as. */
export interface ServicePrincipal {
  service: string;
  username: string;
}

const allow = (principal: string, resourceType: AclResourceTypes, resourceName: string, operation: AclOperationTypes, pattern = ResourcePatternTypes.LITERAL): AclEntry => ({
  principal,
  host: '*',
  resourceType,
  resourceName,
  resourcePatternType: pattern,
  operation,
  permissionType: AclPermissionTypes.ALLOW,
});

/**
 * What a service's principal may do on a cluster with ACLs (nothing is allowed without one): write
 * only the topics it produces by the contract (TOPIC_CONTRACTS) and its own group's retry and
 * dead-letter topics; read only what its group consumes (CONSUMED_TOPICS) and its own retry topic
 * (audit-log also its checkpoints, to verify the chain); use the consumer groups named after it. So a
 * client holding the gateway's credentials can neither publish a verification result nor read the
 * webhooks' personal data back, and no one without credentials can do anything.
 */
export function serviceAcls(ns: TopicNamespace, { service, username }: ServicePrincipal): AclEntry[] {
  if (service === CONSOLE_PRINCIPAL) return consoleAcls(ns, username);
  const principal = `User:${username}`;
  const owned = CATALOGUE_TOPICS.filter((t: TopicName) => TOPIC_CONTRACTS[t].producers.includes(service));
  const ownGroupTopics = (CONSUMER_GROUPS as readonly string[]).includes(service) ? [retryTopicOf(service), dlqTopicOf(service)] : [];
  const group = (CONSUMER_GROUPS as readonly string[]).includes(service) ? (service as ConsumerGroupName) : undefined;
  const readable = group ? [...CONSUMED_TOPICS[group], retryTopicOf(group), ...(group === 'audit-log' ? [Topics.AuditCheckpoints] : [])] : [];
  const described = [...new Set([...readable, ...owned, ...ownGroupTopics])];
  return [
    ...[...owned, ...ownGroupTopics].map((t) => allow(principal, AclResourceTypes.TOPIC, ns.physical(t), AclOperationTypes.WRITE)),
    ...readable.map((t) => allow(principal, AclResourceTypes.TOPIC, ns.physical(t), AclOperationTypes.READ)),
    ...described.map((t) => allow(principal, AclResourceTypes.TOPIC, ns.physical(t), AclOperationTypes.DESCRIBE)),
    // Its consumer groups (and the short-lived readers it starts, e.g. audit verification) carry its name.
    allow(principal, AclResourceTypes.GROUP, ns.physical(service), AclOperationTypes.READ, ResourcePatternTypes.PREFIXED),
    allow(principal, AclResourceTypes.GROUP, ns.physical(service), AclOperationTypes.DESCRIBE, ResourcePatternTypes.PREFIXED),
    // retention keeps the personal-data topics' retention.ms in line with its policy.
    ...(service === 'retention' ? RETENTION_MANAGED_TOPICS.map((t) => allow(principal, AclResourceTypes.TOPIC, ns.physical(t), AclOperationTypes.DESCRIBE_CONFIGS)) : []),
    ...(service === 'retention' ? RETENTION_MANAGED_TOPICS.map((t) => allow(principal, AclResourceTypes.TOPIC, ns.physical(t), AclOperationTypes.ALTER_CONFIGS)) : []),
  ];
}

/** The console's principal: a reader, not a service of the pipeline. */
export const CONSOLE_PRINCIPAL = 'console';

/** Every principal of the suite, each named as its service: the five services and the console. */
export const SUITE_PRINCIPALS: readonly ServicePrincipal[] = [...CONSUMER_GROUPS, CONSOLE_PRINCIPAL].map((service) => ({ service, username: service }));

/**
 * The console writes nothing: it reads the alerts (its live feed) and the signed checkpoints, under
 * consumer groups named after it, and describes the suite's groups and their topics to show their
 * lag (committed against latest offsets). It can read no webhook, verification or screening.
 */
function consoleAcls(ns: TopicNamespace, username: string): AclEntry[] {
  const principal = `User:${username}`;
  const readable = [Topics.ComplianceAlerts, Topics.AuditCheckpoints];
  const groups = CONSUMER_GROUPS.flatMap((g) => [g, `${g}-retry`]);
  const lagTopics = [...new Set(CONSUMER_GROUPS.flatMap((g) => [...CONSUMED_TOPICS[g], retryTopicOf(g)]))];
  return [
    ...readable.map((t) => allow(principal, AclResourceTypes.TOPIC, ns.physical(t), AclOperationTypes.READ)),
    ...[...new Set([...readable, ...lagTopics])].map((t) => allow(principal, AclResourceTypes.TOPIC, ns.physical(t), AclOperationTypes.DESCRIBE)),
    allow(principal, AclResourceTypes.GROUP, ns.physical(CONSOLE_PRINCIPAL), AclOperationTypes.READ, ResourcePatternTypes.PREFIXED),
    allow(principal, AclResourceTypes.GROUP, ns.physical(CONSOLE_PRINCIPAL), AclOperationTypes.DESCRIBE, ResourcePatternTypes.PREFIXED),
    ...groups.map((g) => allow(principal, AclResourceTypes.GROUP, ns.physical(g), AclOperationTypes.DESCRIBE)),
  ];
}

/** Creates every service principal's ACLs (idempotent: an ACL that exists is left as it is). Run with an admin principal. */
export async function applyServiceAcls(kafka: Kafka, ns: TopicNamespace, principals: ServicePrincipal[]): Promise<number> {
  const acl = principals.flatMap((p) => serviceAcls(ns, p));
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createAcls({ acl });
    return acl.length;
  } finally {
    await admin.disconnect();
  }
}
