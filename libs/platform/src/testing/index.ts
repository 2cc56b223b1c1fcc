import type { DynamicModule } from '@nestjs/common';
import { createServiceApp, listenServiceApp, type ServiceApp } from '../bootstrap';

/** Starts a service exactly as main.ts does (real HTTP stack) on a free port. */
export async function startTestApp(module: DynamicModule, title = 'test', opts: { bodyParser?: boolean } = {}): Promise<ServiceApp> {
  const app = await createServiceApp(module, title, opts);
  return listenServiceApp(app, 0, '127.0.0.1');
}

/** Common environment for a service under test: the shared broker, the file's namespace and database. */
export function baseTestEnv(namespace: string, databaseUrl: string): Record<string, string> {
  return {
    KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '',
    KAFKA_TOPIC_PREFIX: namespace,
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    API_KEYS: 'analyst-key:analyst:ana,auditor-key:auditor:aud,admin-key:admin:adm',
  };
}

export const TEST_API_KEYS = { analyst: 'analyst-key', auditor: 'auditor-key', admin: 'admin-key' } as const;
