import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule } from '@compliance/platform';
import { AmlTriggerConfig } from './aml-trigger.config';
import { MIGRATIONS } from './migrations';

export const SERVICE_NAME = 'aml-trigger';
export const SCHEMA = 'aml_trigger';

@Module({})
export class AppModule {
  static register(config: AmlTriggerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot({ service: SERVICE_NAME, schema: SCHEMA, config, migrations: MIGRATIONS })],
    };
  }
}
