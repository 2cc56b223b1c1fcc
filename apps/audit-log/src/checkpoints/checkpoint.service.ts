import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { EventSources, EventTypes, newEvent, Topics } from '@compliance/contracts';
import { addToOutbox } from '@compliance/messaging';
import { auditMetrics } from '../chain/audit.metrics';
import { lockChainHead, type ChainHead } from '../chain/chain.repository';
import { insertCheckpoint, lastCheckpoint } from './checkpoint.repository';
import { CheckpointSigner } from './checkpoint-signer';

/** Record key of a checkpoint: one per checkpoint, so compaction keeps every one of them. */
export const checkpointKey = (sequence: number): string => `checkpoint-${sequence}`;

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
    const last = await lastCheckpoint(manager);
    if (head.sequence <= last.sequence) return undefined;
    await this.issue(manager, head);
    return head.sequence;
  }

  /** Under the chain-head lock (the caller holds it), so the previous checkpoint cannot move meanwhile. */
  private async issue(manager: EntityManager, head: ChainHead): Promise<void> {
    const cp = this.signer.sign(head, await lastCheckpoint(manager));
    const inserted = await insertCheckpoint(manager, cp);
    if (!inserted) return;
    const key = checkpointKey(cp.sequence);
    const event = newEvent({ type: EventTypes.AuditCheckpoint, source: EventSources.AuditLog, subject: key, data: cp });
    await addToOutbox(manager, Topics.AuditCheckpoints, key, event);
    auditMetrics.checkpoints.inc();
  }
}
