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
