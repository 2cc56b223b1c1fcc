import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { EventSources, EventTypes, newEvent, Topics } from '@compliance/contracts';
import { addToOutbox } from '@compliance/messaging';
import { auditMetrics } from '../chain/audit.metrics';
import { lockChainHead, type ChainHead } from '../chain/chain-head';
import { CheckpointSigner } from './checkpoint-signer';

/** Record key of checkpoints: one key, one partition, so consumers see heads in order. */
export const CHECKPOINT_KEY = 'audit-chain';

export abstract class CheckpointPolicy {
  abstract readonly every: number;
}

/** Signs the chain head, stores the checkpoint and publishes it through the outbox, in one transaction. */
@Injectable()
export class CheckpointService {
  constructor(
    private readonly signer: CheckpointSigner,
    private readonly policy: CheckpointPolicy,
  ) {}

  /** Called by the appender: a checkpoint whenever the head crosses a multiple of N. */
  async afterAppend(manager: EntityManager, fromSequence: number, head: ChainHead): Promise<void> {
    const every = this.policy.every;
    if (Math.floor(head.sequence / every) > Math.floor(fromSequence / every)) await this.issue(manager, head);
  }

  /** The timer's checkpoint: only when entries were appended since the last one. Returns its sequence. */
  async checkpointIfAdvanced(manager: EntityManager): Promise<number | undefined> {
    const head = await lockChainHead(manager);
    const [{ last }] = await manager.query('SELECT coalesce(max(sequence), 0)::bigint AS last FROM audit_checkpoint');
    if (head.sequence <= Number(last)) return undefined;
    await this.issue(manager, head);
    return head.sequence;
  }

  private async issue(manager: EntityManager, head: ChainHead): Promise<void> {
    const cp = this.signer.sign(head);
    const inserted = await manager.query(
      `INSERT INTO audit_checkpoint (sequence, hash, signed_at, algorithm, key_id, signature, public_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (sequence) DO NOTHING RETURNING sequence`,
      [cp.sequence, cp.hash, cp.signedAt, cp.algorithm, cp.keyId, cp.signature, cp.publicKey],
    );
    if (inserted.length === 0) return;
    const event = newEvent({ type: EventTypes.AuditCheckpoint, source: EventSources.AuditLog, subject: CHECKPOINT_KEY, data: cp });
    await addToOutbox(manager, Topics.AuditCheckpoints, CHECKPOINT_KEY, event);
    auditMetrics.checkpoints.inc();
  }
}
