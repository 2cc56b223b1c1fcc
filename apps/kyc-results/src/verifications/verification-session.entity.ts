import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { DecisionSummary, KycStatus } from '@compliance/contracts';

/** One provider verification session as kyc-results knows it. No personal data except the subject reference. */
@Entity({ name: 'verification_sessions' })
export class VerificationSession {
  @PrimaryColumn({ name: 'session_id', type: 'text' }) sessionId!: string;
  /** Insertion order (bigserial): a stable pagination cursor. */
  @Column({ type: 'bigint', insert: false, update: false }) seq!: string;
  @Column({ type: 'text' }) provider!: string;
  @Column({ name: 'subject_ref', type: 'text', nullable: true }) subjectRef!: string | null;
  @Column({ name: 'workflow_id', type: 'text', nullable: true }) workflowId!: string | null;
  @Column({ type: 'text' }) status!: KycStatus;
  @Column({ name: 'provider_status', type: 'text', nullable: true }) providerStatus!: string | null;
  @Column({ name: 'previous_status', type: 'text', nullable: true }) previousStatus!: KycStatus | null;
  /** Provider time of the report that put the session at its current status (the ordering position). */
  @Column({ name: 'status_at', type: 'timestamptz' }) statusAt!: Date;
  @Column({ type: 'integer' }) transitions!: number;
  /** Terminal decision time: the verification_data retention clock. */
  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true }) decidedAt!: Date | null;
  @Column({ name: 'document_type', type: 'text', nullable: true }) documentType!: string | null;
  @Column({ name: 'issuing_country', type: 'text', nullable: true }) issuingCountry!: string | null;
  @Column({ name: 'liveness_score', type: 'double precision', nullable: true }) livenessScore!: number | null;
  @Column({ name: 'face_match_score', type: 'double precision', nullable: true }) faceMatchScore!: number | null;
  @Column({ name: 'ip_risk_flags', type: 'text', array: true, nullable: true }) ipRiskFlags!: string[] | null;
  @Column({ name: 'provider_aml', type: 'jsonb', nullable: true }) providerAml!: DecisionSummary['providerAml'] | null;
  /** Order key of the decision data held (see decisionKey in verification-state). */
  @Column({ name: 'decision_key', type: 'text', nullable: true }) decisionKey!: string | null;
  @Column({ name: 'payload_version', type: 'text' }) payloadVersion!: string;
  @Column({ name: 'first_event_at', type: 'timestamptz' }) firstEventAt!: Date;
  @Column({ name: 'last_event_at', type: 'timestamptz' }) lastEventAt!: Date;
  /** Set by an erasure request: personal data is gone and is not taken again for this session. */
  @Column({ name: 'erased_at', type: 'timestamptz', nullable: true }) erasedAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

/** The decision summary as events and HTTP answers carry it (absent fields left out). */
export function decisionSummaryOf(session: VerificationSession): DecisionSummary | undefined {
  const summary: DecisionSummary = {};
  if (session.documentType) summary.documentType = session.documentType;
  if (session.issuingCountry) summary.issuingCountry = session.issuingCountry;
  if (session.livenessScore !== null) summary.livenessScore = session.livenessScore;
  if (session.faceMatchScore !== null) summary.faceMatchScore = session.faceMatchScore;
  if (session.ipRiskFlags) summary.ipRiskFlags = session.ipRiskFlags;
  if (session.providerAml) summary.providerAml = session.providerAml;
  return Object.keys(summary).length ? summary : undefined;
}

export function applyDecisionSummary(session: VerificationSession, summary: DecisionSummary): void {
  session.documentType = summary.documentType ?? null;
  session.issuingCountry = summary.issuingCountry ?? null;
  session.livenessScore = summary.livenessScore ?? null;
  session.faceMatchScore = summary.faceMatchScore ?? null;
  session.ipRiskFlags = summary.ipRiskFlags ?? null;
  session.providerAml = summary.providerAml ?? null;
}
