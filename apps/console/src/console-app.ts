import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule, SERVICE_NAME } from './app.module';
import { ConsoleConfig } from './console.config';
import { securityHeaders } from './web/security-headers';

export interface RunningConsole {
  app: INestApplication;
  url: string;
  close(): Promise<void>;
}

/**
 * The console's HTTP server. Not the services' runService: the console has no database, no outbox
 * and no event handlers, only a live feed of its own.
 */
export async function startConsole(config: ConsoleConfig, opts: { port?: number; host?: string } = {}): Promise<RunningConsole> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config), { bufferLogs: true, bodyParser: false });
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  app.use(securityHeaders(config.secureCookie));
  // Forms only (urlencoded), small: the console takes no JSON and no uploads.
  app.useBodyParser('urlencoded', { extended: false, limit: '32kb' });
  app.enableShutdownHooks();
  await app.listen(opts.port ?? config.CONSOLE_PORT, opts.host ?? '0.0.0.0');
  const address = app.getHttpServer().address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : config.CONSOLE_PORT}`;
  app.get(Logger).log(`${SERVICE_NAME} listening on ${url}`);
  return { app, url, close: () => app.close() };
}
