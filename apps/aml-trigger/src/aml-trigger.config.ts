import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { BaseServiceConfig } from '@compliance/platform';

export class AmlTriggerConfig extends BaseServiceConfig {
  @Type(() => Number)
  @IsInt({ message: 'AML_TRIGGER_PORT must be an integer port number' })
  @Min(1, { message: 'AML_TRIGGER_PORT must be between 1 and 65535' })
  @Max(65535, { message: 'AML_TRIGGER_PORT must be between 1 and 65535' })
  AML_TRIGGER_PORT = 3002;
}
