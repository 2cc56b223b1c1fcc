import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Kafka } from 'kafkajs';
import { PinoLogger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { TopicNamespace } from '@compliance/messaging';
import { RequireRole } from '@compliance/platform';
import { AuditLogConfig, checkpointCoverage } from '../audit-log.config';
import { TrustedKeys } from '../checkpoints/checkpoint-signer';
import { verifyChain, type VerifyReport } from './chain-verifier';
import { readPublishedCheckpoints } from './published-checkpoints';

@ApiTags('audit')
@Controller('audit')
export class VerificationController {
  private readonly keys: TrustedKeys;

  constructor(
    private readonly ds: DataSource,
    private readonly config: AuditLogConfig,
    private readonly kafka: Kafka,
    private readonly ns: TopicNamespace,
    private readonly logger: PinoLogger,
  ) {
    // The service's own signing key and any configured public keys: never a key stored in a row.
    this.keys = TrustedKeys.fromPem(config.AUDIT_SIGNING_KEY, config.AUDIT_PUBLIC_KEY);
  }

  /**
   * Recomputes the chain and holds it to its signed checkpoints, in the table and as published on
   * audit.checkpoints.v1: 200 with ok, or ok=false and the first broken sequence.
   */
  @Get('verify')
  @RequireRole('auditor')
  @ApiOkResponse({ description: '{ ok, entries, redacted, checkpoints, anchors, head, broken? }' })
  async verify(): Promise<VerifyReport> {
    const anchors = await readPublishedCheckpoints(this.kafka, this.ns).catch((err: Error) => {
      this.logger.warn({ err: err.message }, 'published checkpoints could not be read; verifying without them');
      return undefined;
    });
    return verifyChain(this.ds, this.keys, { anchors, coverage: checkpointCoverage(this.config) });
  }
}
