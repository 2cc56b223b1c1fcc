import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { BaseServiceConfig } from '@compliance/platform';

export class RetentionConfig extends BaseServiceConfig {
  @Type(() => Number)
  @IsInt({ message: 'RETENTION_PORT must be an integer port number' })
  @Min(1, { message: 'RETENTION_PORT must be between 1 and 65535' })
  @Max(65535, { message: 'RETENTION_PORT must be between 1 and 65535' })
  RETENTION_PORT = 3003;
}
