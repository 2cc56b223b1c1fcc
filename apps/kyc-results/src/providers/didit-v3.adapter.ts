import { diditDecision, type Located } from './didit-decision';
import { readDiditEnvelope } from './didit-envelope';
import { optionalObjectArray, type Json } from './payload-fields';
import type { ProviderAdapter } from './provider-adapter';
import type { VerificationReport } from './verification-report';

const PLURAL_KEYS = ['id_verifications', 'liveness_checks', 'face_matches', 'aml_screenings', 'ip_analyses'] as const;

function located(decision: Json, key: string): Located[] {
  const path = `payload.decision.${key}`;
  return (optionalObjectArray(decision, key, 'payload.decision') ?? []).map((item, i) => ({ item, path: `${path}[${i}]` }));
}

/** Didit payload v3: feature results are arrays, one item per workflow node (`node_id`). */
export class DiditV3Adapter implements ProviderAdapter {
  readonly source = 'didit';
  readonly version = 'didit-v3';

  /** v3 unless the decision uses v2's singular keys; a payload without a decision reads the same in both. */
  accepts(payload: Json): boolean {
    const decision = payload.decision;
    if (typeof decision !== 'object' || decision === null) return true;
    return PLURAL_KEYS.some((k) => k in decision) || !['id_verification', 'liveness', 'face_match', 'aml', 'ip_analysis'].some((k) => k in decision);
  }

  read(payload: Json): VerificationReport {
    const { decisionBody, ...envelope } = readDiditEnvelope(payload);
    const decision = decisionBody
      ? diditDecision({
          idVerifications: located(decisionBody, 'id_verifications'),
          livenessChecks: located(decisionBody, 'liveness_checks'),
          faceMatches: located(decisionBody, 'face_matches'),
          amlScreenings: located(decisionBody, 'aml_screenings'),
          ipAnalyses: located(decisionBody, 'ip_analyses'),
        })
      : undefined;
    return { ...envelope, payloadVersion: this.version, decision };
  }
}
