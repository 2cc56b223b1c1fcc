import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { RequireRole } from '@compliance/platform';
import { AuditLogConfig } from '../audit-log.config';
import { TrustedKeys } from '../checkpoints/checkpoint-signer';
import { verifyChain, type VerifyReport } from './chain-verifier';

@ApiTags('audit')
@Controller('audit')
export class VerificationController {
  private readonly keys: TrustedKeys;

  constructor(
    private readonly ds: DataSource,
    config: AuditLogConfig,
  ) {
    this.keys = TrustedKeys.fromPem(config.AUDIT_SIGNING_KEY, config.AUDIT_PUBLIC_KEY);
  }

  /** Recomputes the chain and the checkpoint signatures: 200 with ok, or ok=false and the first broken sequence. */
  @Get('verify')
  @RequireRole('auditor')
  @ApiOkResponse({ description: '{ ok, entries, redacted, checkpoints, head, broken? }' })
  verify(): Promise<VerifyReport> {
    return verifyChain(this.ds, this.keys);
  }
}
