import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { KycStatus } from '@compliance/contracts';
import type { HistoryOutcome } from './verification-state';

/** Every report received for a session, stale ones included (marked), in the order they arrived. */
@Entity({ name: 'verification_status_history' })
export class StatusHistoryEntry {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'session_id', type: 'text' }) sessionId!: string;
  /** The `webhook.received` event id (deterministic per payload content). */
  @Column({ name: 'event_id', type: 'text' }) eventId!: string;
  @Column({ name: 'delivery_id', type: 'text' }) deliveryId!: string;
  @Column({ type: 'text' }) fingerprint!: string;
  @Column({ name: 'webhook_type', type: 'text' }) webhookType!: string;
  @Column({ name: 'payload_version', type: 'text' }) payloadVersion!: string;
  @Column({ type: 'text', nullable: true }) status!: KycStatus | null;
  @Column({ name: 'provider_status', type: 'text', nullable: true }) providerStatus!: string | null;
  @Column({ name: 'previous_status', type: 'text', nullable: true }) previousStatus!: KycStatus | null;
  @Column({ type: 'text' }) outcome!: HistoryOutcome;
  @Column({ type: 'boolean' }) stale!: boolean;
  @Column({ name: 'decision_applied', type: 'boolean' }) decisionApplied!: boolean;
  @Column({ name: 'occurred_at', type: 'timestamptz' }) occurredAt!: Date;
  @Column({ name: 'received_at', type: 'timestamptz' }) receivedAt!: Date;
  @Column({ name: 'recorded_at', type: 'timestamptz', default: () => 'now()' }) recordedAt!: Date;
}
