import { diditDecision, type Located } from './didit-decision';
import { readDiditEnvelope } from './didit-envelope';
import { optionalObject, type Json } from './payload-fields';
import type { ProviderAdapter } from './provider-adapter';
import type { VerificationReport } from './verification-report';

const SINGULAR_KEYS = ['id_verification', 'liveness', 'face_match', 'aml', 'ip_analysis'] as const;

function single(decision: Json, key: string): Located[] {
  const item = optionalObject(decision, key, 'payload.decision');
  return item ? [{ item, path: `payload.decision.${key}` }] : [];
}

/** Didit payload v2: one result per feature under singular keys (`id_verification`, `liveness`...). */
export class DiditV2Adapter implements ProviderAdapter {
  readonly source = 'didit';
  readonly version = 'didit-v2';

  accepts(payload: Json): boolean {
    const decision = payload.decision;
    return typeof decision === 'object' && decision !== null && SINGULAR_KEYS.some((k) => k in decision);
  }

  read(payload: Json): VerificationReport {
    const { decisionBody, ...envelope } = readDiditEnvelope(payload);
    const decision = decisionBody
      ? diditDecision({
          idVerifications: single(decisionBody, 'id_verification'),
          livenessChecks: single(decisionBody, 'liveness'),
          faceMatches: single(decisionBody, 'face_match'),
          amlScreenings: single(decisionBody, 'aml'),
          ipAnalyses: single(decisionBody, 'ip_analysis'),
        })
      : undefined;
    return { ...envelope, payloadVersion: this.version, decision };
  }
}
