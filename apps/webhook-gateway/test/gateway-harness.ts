import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import { Topics } from '@compliance/contracts';
import { loadConfig, type ServiceApp } from '@compliance/platform';
import { baseTestEnv, createTestTopics, diditHeaders, startTestApp, testDatabaseUrl, testNamespace, TopicReader } from '@compliance/testing';
import { AppModule, SERVICE_NAME } from '../src/app.module';
import { WebhookGatewayConfig } from '../src/webhook-gateway.config';

export const DIDIT_SECRET = 'didit-test-secret-7f3a9c2e51';
export const DIDIT_OLD_SECRET = 'didit-rotated-out-secret-0b4d';
export const STANDARD_SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

export interface Gateway {
  url: string;
  namespace: string;
  databaseUrl: string;
  config: WebhookGatewayConfig;
  app: ServiceApp;
}

export function gatewayConfig(namespace: string, databaseUrl: string, env: Record<string, string> = {}): WebhookGatewayConfig {
  return loadConfig(WebhookGatewayConfig, SERVICE_NAME, {
    ...baseTestEnv(namespace, databaseUrl),
    DIDIT_WEBHOOK_SECRET: `${DIDIT_SECRET},${DIDIT_OLD_SECRET}`,
    STANDARD_WEBHOOK_SECRET: STANDARD_SECRET,
    ...env,
  });
}

/** The gateway as main.ts runs it (raw body, real HTTP), on the file's own topics and database. */
export async function startGateway(label: string, env: Record<string, string> = {}, shared?: { namespace: string; databaseUrl: string }): Promise<Gateway> {
  const namespace = shared?.namespace ?? testNamespace(label);
  const databaseUrl = shared?.databaseUrl ?? (await testDatabaseUrl(label));
  if (!shared && !env.KAFKA_BROKERS) await createTestTopics(namespace);
  const config = gatewayConfig(namespace, databaseUrl, env);
  const app = await startTestApp(AppModule.register(config), SERVICE_NAME, { bodyParser: false });
  return { url: app.url, namespace, databaseUrl, config, app };
}

export function readGatewayTopics(namespace: string): Promise<TopicReader> {
  return new TopicReader(namespace, [Topics.WebhooksInbound, Topics.WebhooksRejected, Topics.RetentionEvents]).start();
}

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

export interface RawRequest {
  path: string;
  /** An object, or raw [name, value, ...] pairs to send repeated headers and exact name cases. */
  headers: Record<string, string> | string[];
  body?: string | Buffer;
  /** A loopback source address (127.x.y.z), so each case is its own client for the throttle. */
  localAddress?: string;
  method?: string;
}

/** A plain HTTP client: sends exactly the headers given (fetch would normalise them). */
export function send(baseUrl: string, req: RawRequest): Promise<HttpAnswer> {
  const url = new URL(req.path, baseUrl);
  const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, 'utf8');
  const headers = Array.isArray(req.headers)
    ? ['Host', url.host, ...req.headers, ...(body && !hasHeader(req.headers, 'content-length') ? ['Content-Length', String(body.length)] : [])]
    : req.headers;
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method: req.method ?? 'POST', headers, localAddress: req.localAddress, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? safeJson(text) : {} });
        });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

function hasHeader(pairs: string[], name: string): boolean {
  return pairs.some((v, i) => i % 2 === 0 && v.toLowerCase() === name);
}

function safeJson(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text);
  } catch {
    return { text };
  }
}

/** Posts a signed Didit webhook with the exact body given. */
export function postDidit(baseUrl: string, body: string, opts: { secret?: string; localAddress?: string; source?: string } = {}): Promise<HttpAnswer> {
  return send(baseUrl, {
    path: `/webhooks/${opts.source ?? 'didit'}`,
    headers: diditHeaders(body, opts.secret ?? DIDIT_SECRET),
    body,
    localAddress: opts.localAddress,
  });
}

/** A distinct loopback address per call: each test client is its own address for the throttle. */
let nextHost = 1;
export function freshLoopbackAddress(): string {
  const n = nextHost++;
  return `127.${10 + (process.pid % 200)}.${Math.floor(n / 250) + 1}.${(n % 250) + 1}`;
}

export const randomId = (): string => randomBytes(8).toString('hex');
