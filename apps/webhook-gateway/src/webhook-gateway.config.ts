import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { BaseServiceConfig } from '@compliance/platform';

export class WebhookGatewayConfig extends BaseServiceConfig {
  @Type(() => Number)
  @IsInt({ message: 'GATEWAY_PORT must be an integer port number' })
  @Min(1, { message: 'GATEWAY_PORT must be between 1 and 65535' })
  @Max(65535, { message: 'GATEWAY_PORT must be between 1 and 65535' })
  GATEWAY_PORT = 3000;
}
