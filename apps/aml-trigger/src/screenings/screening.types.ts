import type { ScreeningOutcome } from '@compliance/contracts';

/** What a screening is asked about: the person as the verification established them. */
export interface ScreeningIdentity {
  fullName: string;
  dateOfBirth?: string;
  nationality?: string;
  documentNumber?: string;
}

export type ScreeningTrigger = 'approval' | 'identity_update' | 'adhoc' | 'list_change' | 'provider_webhook';

/** One candidate, whoever screened: the built-in screener or a provider. Identity = list + entityId. */
export interface ScreeningHitRecord {
  list: string;
  entityId: string;
  matchedName: string;
  entityName?: string;
  score: number;
  breakdown?: { name?: number; dob?: number; country?: number; identifier?: boolean | number };
  datasets?: string[];
  schema?: string;
  riskScore?: number;
  reviewStatus?: string;
}

export interface ListVersionRecord {
  list: string;
  contentHash: string;
  loadedAt: string;
  entryCount: number;
}

/** A finished screening's findings in one shape for every provider. */
export interface ScreeningVerdict {
  outcome: ScreeningOutcome;
  score: number;
  hits: ScreeningHitRecord[];
  listVersions: ListVersionRecord[];
  algorithm: { name: string; version: string };
  thresholds?: { review: number; match: number };
  providerReference?: string;
  providerSummary?: Record<string, unknown>;
  /** Calls it took (remote providers). */
  attempts?: number;
}

export const hitKeyOf = (hit: Pick<ScreeningHitRecord, 'list' | 'entityId'>): string => `${hit.list}/${hit.entityId}`;

/** The key under which a session's events travel (DESIGN: session id when there is one, else subjectRef). */
export const eventKeyOf = (s: { sessionId?: string | null; subjectRef: string }): string => s.sessionId ?? s.subjectRef;

/** Canonical identity text for digests: equal identities give equal digests whatever the casing/spacing. */
export function identityFingerprint(identity: ScreeningIdentity): string {
  const norm = (v?: string) => (v ?? '').normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
  return [identity.fullName, identity.dateOfBirth, identity.nationality, identity.documentNumber].map(norm).join('|');
}
