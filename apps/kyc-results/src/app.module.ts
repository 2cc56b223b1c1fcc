import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule } from '@compliance/platform';
import { KycResultsConfig } from './kyc-results.config';
import { MIGRATIONS } from './migrations';

export const SERVICE_NAME = 'kyc-results';
export const SCHEMA = 'kyc_results';

@Module({})
export class AppModule {
  static register(config: KycResultsConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot({ service: SERVICE_NAME, schema: SCHEMA, config, migrations: MIGRATIONS })],
    };
  }
}
