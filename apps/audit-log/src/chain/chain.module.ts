import { Module } from '@nestjs/common';
import { AuditLogConfig } from '../audit-log.config';
import { CheckpointScheduler } from '../checkpoints/checkpoint.scheduler';
import { CheckpointSigner } from '../checkpoints/checkpoint-signer';
import { CheckpointPolicy, CheckpointService } from '../checkpoints/checkpoint.service';
import { ChainAppender } from './chain-appender';

/** The chain and its signed checkpoints: everything that writes to it goes through ChainAppender. */
@Module({
  providers: [
    { provide: CheckpointSigner, useFactory: (c: AuditLogConfig) => new CheckpointSigner(c.AUDIT_SIGNING_KEY), inject: [AuditLogConfig] },
    { provide: CheckpointPolicy, useFactory: (c: AuditLogConfig) => ({ every: c.AUDIT_CHECKPOINT_EVERY }), inject: [AuditLogConfig] },
    CheckpointService,
    CheckpointScheduler,
    ChainAppender,
  ],
  exports: [ChainAppender, CheckpointSigner, CheckpointScheduler],
})
export class ChainModule {}
