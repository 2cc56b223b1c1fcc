/**
 * The six Deployments and the code each must agree with: the config class (every variable it is
 * given), its port variable, and the Nest module (the routes its probes call).
 */
import type { DynamicModule } from '@nestjs/common';
import { ConsumerGroups, type ConsumerGroupName } from '@compliance/contracts';
import { AmlTriggerConfig } from '../../apps/aml-trigger/src/aml-trigger.config';
import { AppModule as AmlTriggerModule } from '../../apps/aml-trigger/src/app.module';
import { AuditLogConfig } from '../../apps/audit-log/src/audit-log.config';
import { AppModule as AuditLogModule } from '../../apps/audit-log/src/app.module';
import { AppModule as ConsoleModule } from '../../apps/console/src/app.module';
import { ConsoleConfig } from '../../apps/console/src/console.config';
import { AppModule as KycResultsModule } from '../../apps/kyc-results/src/app.module';
import { KycResultsConfig } from '../../apps/kyc-results/src/kyc-results.config';
import { AppModule as RetentionModule } from '../../apps/retention/src/app.module';
import { RetentionConfig } from '../../apps/retention/src/retention.config';
import { AppModule as WebhookGatewayModule } from '../../apps/webhook-gateway/src/app.module';
import { WebhookGatewayConfig } from '../../apps/webhook-gateway/src/webhook-gateway.config';

export interface DeployedService {
  name: string;
  // Each app's config class has its own shape; the checks read it as a record of variables.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  configClass: new () => any;
  portVar: string;
  module(config: never): DynamicModule;
  /** Its consumer group, when it consumes (libs/contracts ConsumerGroups). */
  group?: ConsumerGroupName;
}

export const DEPLOYED_SERVICES: DeployedService[] = [
  { name: 'webhook-gateway', configClass: WebhookGatewayConfig, portVar: 'GATEWAY_PORT', module: (c) => WebhookGatewayModule.register(c), group: ConsumerGroups.WebhookGateway },
  { name: 'kyc-results', configClass: KycResultsConfig, portVar: 'KYC_RESULTS_PORT', module: (c) => KycResultsModule.register(c), group: ConsumerGroups.KycResults },
  { name: 'aml-trigger', configClass: AmlTriggerConfig, portVar: 'AML_TRIGGER_PORT', module: (c) => AmlTriggerModule.register(c), group: ConsumerGroups.AmlTrigger },
  { name: 'retention', configClass: RetentionConfig, portVar: 'RETENTION_PORT', module: (c) => RetentionModule.register(c), group: ConsumerGroups.Retention },
  { name: 'audit-log', configClass: AuditLogConfig, portVar: 'AUDIT_LOG_PORT', module: (c) => AuditLogModule.register(c), group: ConsumerGroups.AuditLog },
  { name: 'console', configClass: ConsoleConfig, portVar: 'CONSOLE_PORT', module: (c) => ConsoleModule.register(c) },
];

/** The one consumer scaled by CPU rather than by its lag (it produces far more than it consumes). */
export const CPU_SCALED = 'webhook-gateway';
