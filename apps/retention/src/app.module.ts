import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule } from '@compliance/platform';
import { RetentionConfig } from './retention.config';
import { MIGRATIONS } from './migrations';

export const SERVICE_NAME = 'retention';
export const SCHEMA = 'retention';

@Module({})
export class AppModule {
  static register(config: RetentionConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot({ service: SERVICE_NAME, schema: SCHEMA, config, migrations: MIGRATIONS })],
    };
  }
}
