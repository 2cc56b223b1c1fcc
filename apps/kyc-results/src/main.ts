import './tracing';
import { runService } from '@compliance/platform';
import { AppModule, SERVICE_NAME } from './app.module';
import { KycResultsConfig } from './kyc-results.config';

void runService({
  service: SERVICE_NAME,
  configClass: KycResultsConfig,
  port: (c) => c.KYC_RESULTS_PORT,
  module: (c) => AppModule.register(c),
});
