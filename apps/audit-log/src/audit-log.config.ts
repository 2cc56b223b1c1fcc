import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { BaseServiceConfig } from '@compliance/platform';

export class AuditLogConfig extends BaseServiceConfig {
  @Type(() => Number)
  @IsInt({ message: 'AUDIT_LOG_PORT must be an integer port number' })
  @Min(1, { message: 'AUDIT_LOG_PORT must be between 1 and 65535' })
  @Max(65535, { message: 'AUDIT_LOG_PORT must be between 1 and 65535' })
  AUDIT_LOG_PORT = 3004;
}
