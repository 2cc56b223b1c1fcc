import type { DecisionSummary } from '@compliance/contracts';
import { optionalBoolean, optionalNumber, optionalString, type Json } from './payload-fields';
import type { IdentityAttributes, VerificationDecision } from './verification-report';

/** A feature result with the path it was read from (for error reasons). */
export interface Located {
  item: Json;
  path: string;
}

/**
 * Didit feature results, whatever the payload version: v3 sends arrays of them (one per workflow
 * node), v2 one of each. The items have the same fields in both versions.
 */
export interface DiditFeatures {
  idVerifications: Located[];
  livenessChecks: Located[];
  faceMatches: Located[];
  amlScreenings: Located[];
  ipAnalyses: Located[];
}

const IP_FLAGS = ['vpn', 'proxy', 'tor', 'hosting'] as const;

function identityOf({ item, path }: Located): IdentityAttributes {
  const read = (key: string) => optionalString(item, key, path);
  const firstName = read('first_name');
  const lastName = read('last_name');
  const joined = [firstName, lastName].filter(Boolean).join(' ');
  return dropUndefined({
    firstName,
    lastName,
    fullName: read('full_name') ?? (joined || undefined),
    dateOfBirth: read('date_of_birth'),
    nationality: read('nationality'),
    documentType: read('document_type'),
    documentNumber: read('document_number'),
    issuingState: read('issuing_state'),
    address: read('formatted_address') ?? read('address'),
  });
}

/** The lowest score across nodes: every check has to pass, so the weakest one is the one that matters. */
function lowestScore(items: Located[]): number | undefined {
  const scores = items.map(({ item, path }) => optionalNumber(item, 'score', path)).filter((s): s is number => s !== undefined);
  return scores.length ? Math.min(...scores) : undefined;
}

function ipRiskFlags(items: Located[]): string[] | undefined {
  if (items.length === 0) return undefined;
  const flags = new Set<string>();
  for (const { item, path } of items) for (const flag of IP_FLAGS) if (optionalBoolean(item, flag, path)) flags.add(flag);
  return [...flags];
}

function providerAml(items: Located[]): DecisionSummary['providerAml'] {
  if (items.length === 0) return undefined;
  const read = items.map(({ item, path }) => ({
    status: optionalString(item, 'status', path),
    totalHits: optionalNumber(item, 'total_hits', path),
    score: optionalNumber(item, 'score', path),
  }));
  const worst = read.find((r) => r.status && r.status !== 'Approved') ?? read[0];
  const hits = read.map((r) => r.totalHits).filter((n): n is number => n !== undefined);
  const scores = read.map((r) => r.score).filter((n): n is number => n !== undefined);
  return dropUndefined({
    status: worst.status,
    totalHits: hits.length ? hits.reduce((a, b) => a + b, 0) : undefined,
    score: scores.length ? Math.max(...scores) : undefined,
  });
}

/** Summary and identity of a decision; undefined when the payload carried no feature results at all. */
export function diditDecision(features: DiditFeatures): VerificationDecision | undefined {
  const all = Object.values(features) as Located[][];
  if (all.every((list) => list.length === 0)) return undefined;
  const identities = features.idVerifications.map(identityOf);
  // Multi-document workflows: the first document that carries a name is the person's identity.
  const identity = identities.find((i) => i.fullName) ?? identities[0];
  const summary: DecisionSummary = dropUndefined({
    documentType: identity?.documentType,
    issuingCountry: identity?.issuingState,
    livenessScore: lowestScore(features.livenessChecks),
    faceMatchScore: lowestScore(features.faceMatches),
    ipRiskFlags: ipRiskFlags(features.ipAnalyses),
    providerAml: providerAml(features.amlScreenings),
  });
  return { summary, identity: identity && Object.keys(identity).length ? identity : undefined };
}

export function dropUndefined<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}
