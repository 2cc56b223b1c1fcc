import 'reflect-metadata';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { ValidationPipe, type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions, NestMicroservice } from '@nestjs/microservices';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { ConfigError, loadServiceConfig } from './config';
import { EventTransport, RethrowRpcErrors, type ConsumerHost } from './events';
import { ServiceRuntime } from './service-runtime';

export interface ServiceApp {
  app: INestApplication;
  url: string;
  close(): Promise<void>;
}

/**
 * Answers a service's hottest requests before the framework sees them: no router, no middleware, no
 * per-request logger. It returns false for any request it leaves to the framework.
 */
export type FastPath = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * How long an idle kept-alive connection stays open. Node's default (5 s) is shorter than the idle
 * time of providers' HTTP clients and of load balancers (60 s is common): a client that reuses a
 * connection just as the server closes it gets ECONNRESET, a failed delivery it must retry. The
 * server outlasts them instead; its headers timeout stays above the keep-alive, as Node advises.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

export interface ServiceAppOptions {
  bodyParser?: boolean;
  /** Built once the app's providers exist (from `app.get(...)`); every other request goes through Nest as usual. */
  fastPath?: (app: INestApplication) => FastPath;
}

/**
 * Shared setup of a hybrid app: the HTTP side (JSON logs, validation, OpenAPI at /docs, graceful
 * shutdown hooks) and the event transport that serves the `@EventPattern` handlers.
 */
export async function createServiceApp(module: DynamicModule, title: string, opts: ServiceAppOptions = {}): Promise<INestApplication> {
  const app = await NestFactory.create(module, { bufferLogs: true, bodyParser: opts.bodyParser ?? true });
  const server = app.getHttpServer() as Server;
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1000;
  if (opts.fastPath) putAhead(server, opts.fastPath(app));
  connectEventTransport(app);
  app.useLogger(app.get(Logger));
  app.getHttpAdapter().getInstance().disable?.('x-powered-by');
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.enableShutdownHooks();
  const doc = SwaggerModule.createDocument(app, new DocumentBuilder().setTitle(title).setVersion('1').addBearerAuth().build());
  SwaggerModule.setup('docs', app, doc);
  return app;
}

/**
 * The event handlers get their own enhancers, not the HTTP ones: errors come back as thrown (the
 * transport times each call and binds the event's ids to the log). The transport's listeners are
 * registered when it starts, after the app's lifecycle hooks have run once (not twice).
 */
export function connectEventTransport(app: INestApplication, host: ConsumerHost = app.get(ServiceRuntime)): EventTransport {
  const transport = new EventTransport(host);
  const events = app.connectMicroservice<MicroserviceOptions>({ strategy: transport }, { inheritAppConfig: false, deferInitialization: true });
  events.useGlobalFilters(new RethrowRpcErrors());
  (events as NestMicroservice).setIsInitHookCalled(true);
  return transport;
}

/** The fast path sees each request first; the framework's own request listener gets the rest. */
function putAhead(server: Server, fastPath: FastPath): void {
  const framework = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!fastPath(req, res)) for (const listener of framework) listener.call(server, req, res);
  });
}

/** Initialises the app, starts its consumers (the event transport), then serves HTTP. */
export async function listenServiceApp(app: INestApplication, port: number, host = '0.0.0.0'): Promise<ServiceApp> {
  await app.init();
  await app.startAllMicroservices();
  await app.listen(port, host);
  const address = app.getHttpServer().address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`;
  return { app, url, close: () => app.close() };
}

/**
 * Loads the config (development secrets refused unless NODE_ENV=development) or exits with 78
 * (EX_CONFIG) and a message naming each bad variable, never its value.
 */
export function loadConfigOrExit<T extends object>(cls: new () => T, service: string): T {
  try {
    return loadServiceConfig(cls, service);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
}

/** How long a graceful shutdown may take before the process exits anyway (SHUTDOWN_TIMEOUT_MS, default 30 s). */
export const shutdownTimeoutMs = (env: NodeJS.ProcessEnv = process.env): number => {
  const value = Number(env.SHUTDOWN_TIMEOUT_MS ?? 30_000);
  return Number.isFinite(value) && value > 0 ? value : 30_000;
};

/**
 * Nest closes the app on SIGTERM/SIGINT (consumers leave their groups after the fetch in flight
 * commits, the relays drain). When that cannot finish — a commit retried against a cluster that is
 * gone — the process must still end, as an orchestrator's SIGKILL would end it: exit 1 after the timeout.
 */
export function exitIfShutdownHangs(service: string): void {
  const arm = (signal: NodeJS.Signals) => {
    const timer = setTimeout(() => {
      process.stderr.write(`${service}: graceful shutdown after ${signal} took longer than ${shutdownTimeoutMs()} ms; exiting\n`);
      process.exit(1);
    }, shutdownTimeoutMs());
    timer.unref();
  };
  process.once('SIGTERM', () => arm('SIGTERM'));
  process.once('SIGINT', () => arm('SIGINT'));
}

/** main.ts of every app: validated config, then the HTTP server on the app's port. */
export async function runService<T extends object>(opts: {
  service: string;
  configClass: new () => T;
  port: (config: T) => number;
  module: (config: T) => DynamicModule;
  bodyParser?: boolean;
  fastPath?: ServiceAppOptions['fastPath'];
}): Promise<void> {
  const config = loadConfigOrExit(opts.configClass, opts.service);
  try {
    const app = await createServiceApp(opts.module(config), opts.service, { bodyParser: opts.bodyParser, fastPath: opts.fastPath });
    const { url } = await listenServiceApp(app, opts.port(config));
    app.get(Logger).log(`${opts.service} listening on ${url}`);
    exitIfShutdownHangs(opts.service);
  } catch (err) {
    process.stderr.write(`${opts.service} failed to start: ${(err as Error).message}\n`);
    process.exit(1);
  }
}
