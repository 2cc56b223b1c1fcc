import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import * as net from 'node:net';
import { decodeEvent, Topics } from '@compliance/contracts';
import { createKafka, parseBrokers, TopicNamespace } from '@compliance/messaging';
import { createServiceApp, listenServiceApp, loadConfig, type ServiceApp } from '@compliance/platform';
import { diditHeaders } from '@compliance/testing';
import { AppModule, HTTP_OPTIONS, SERVICE_NAME } from '../src/app.module';
import { WebhookGatewayConfig } from '../src/webhook-gateway.config';
import { baseTestEnv } from '@compliance/platform/testing';
import { createTestTopics, testNamespace, TopicReader, type CollectedRecord } from '@compliance/messaging/testing';
import { testDatabaseUrl } from '@compliance/persistence/testing';

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

/** The gateway as main.ts runs it (raw body, the fast path, real HTTP), on the file's own topics and database. */
export async function startGateway(label: string, env: Record<string, string> = {}, shared?: { namespace: string; databaseUrl: string }): Promise<Gateway> {
  const namespace = shared?.namespace ?? testNamespace(label);
  const databaseUrl = shared?.databaseUrl ?? (await testDatabaseUrl(label));
  if (!shared && !env.KAFKA_BROKERS) await createTestTopics(namespace);
  const config = gatewayConfig(namespace, databaseUrl, env);
  const app = await listenServiceApp(await createServiceApp(AppModule.register(config), SERVICE_NAME, HTTP_OPTIONS), 0, '127.0.0.1');
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
  /** Connections to reuse (addressAgent for many requests from one source address). */
  agent?: http.Agent;
}

// Connections are reused unless a request needs its own source address.
const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 128 });

/** Kept-alive connections from one loopback address: a flood from one client without a connection per request. */
export function addressAgent(localAddress: string, maxSockets = 32): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets, localAddress });
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
      { host: url.hostname, port: url.port, path: url.pathname, method: req.method ?? 'POST', headers, localAddress: req.localAddress, agent: req.agent ?? (req.localAddress ? false : keepAlive) },
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

/** For waitFor: the list once it has something in it. */
export const nonEmpty = <T>(list: T[]): T[] | undefined => (list.length ? list : undefined);

export const randomId = (): string => randomBytes(8).toString('hex');

/**
 * Writes bytes straight to a socket (a Content-Length that lies, a hand-made chunked body) and reads
 * the first response. Write errors are expected when the gateway cuts a request off.
 */
export function sendRaw(baseUrl: string, head: string, body: Buffer[], localAddress?: string, pauseMs = 0): Promise<HttpAnswer> {
  const url = new URL(baseUrl);
  return new Promise((resolve) => {
    const socket = net.connect({ host: url.hostname, port: Number(url.port), localAddress });
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(parseResponse(Buffer.concat(chunks).toString('utf8'))));
    socket.write(head.replace('{host}', url.host));
    socket.write(body[0] ?? Buffer.alloc(0));
    // The rest follows a moment later, as a slow client would send it.
    setTimeout(() => body.slice(1).forEach((chunk) => socket.write(chunk)), pauseMs).unref();
    // Whatever the gateway does with the rest, the first answer is all this client reads.
    setTimeout(() => socket.end(), 3000).unref();
  });
}

function parseResponse(text: string): HttpAnswer {
  const [head, ...rest] = text.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
  const headers: http.IncomingHttpHeaders = {};
  for (const line of head.split('\r\n').slice(1)) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  return { status, headers, body: safeJson(rest.join('\r\n\r\n').slice(0, length)) };
}

/** Reads topics of a given cluster (not the shared one) from the beginning, decoded as TopicReader does. */
export async function readTopicsOn(brokers: string, namespace: string, topics: string[]): Promise<{ records: CollectedRecord[]; stop(): Promise<void> }> {
  const ns = new TopicNamespace(namespace);
  const consumer = createKafka({ brokers: parseBrokers(brokers), clientId: 'gw-test-reader' }).consumer({ groupId: `reader-${randomId()}` });
  const records: CollectedRecord[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: topics.map((t) => ns.physical(t)), fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) if (v !== undefined) headers[k] = v.toString();
      const event = decodeEvent({ key: message.key, value: message.value, headers: message.headers });
      records.push({ topic: ns.logical(topic), partition, offset: message.offset, key: message.key?.toString(), headers, value: message.value?.toString() ?? null, event });
    },
  });
  return { records, stop: () => consumer.disconnect() };
}

/** How many refusals `webhook.rejected` records stand for: a summary counts several, a first report one. */
export function refusalsIn(records: CollectedRecord[], reason?: string): number {
  return records
    .map((r) => r.event?.data as { reason: string; count: number } | undefined)
    .filter((d) => d && (reason === undefined || d.reason === reason))
    .reduce((n, d) => n + (d?.count ?? 0), 0);
}

/** `webhook_rejected_total` by `source|reason|status`, read from /metrics. */
export async function rejectedMetric(baseUrl: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^webhook_rejected_total\{source="([^"]*)",reason="([^"]*)",status="([^"]*)"\} (\d+)$/gm)) out.set(`${m[1]}|${m[2]}|${m[3]}`, Number(m[4]));
  return out;
}

export interface UnfinishedAnswer extends HttpAnswer {
  /** From the last byte sent to the answer. */
  answeredAfterMs: number;
  /** From the last byte sent to the gateway closing the connection; undefined if it kept it open. */
  closedAfterMs?: number;
}

/**
 * Sends a request head and the start of a body that never completes, then waits (up to `waitMs`)
 * for the answer and for the gateway to close the connection. A gateway that read the body would
 * never answer.
 */
export function sendUnfinished(baseUrl: string, head: string, start: Buffer, localAddress?: string, waitMs = 5000): Promise<UnfinishedAnswer> {
  const url = new URL(baseUrl);
  return new Promise((resolve) => {
    const socket = net.connect({ host: url.hostname, port: Number(url.port), localAddress });
    const chunks: Buffer[] = [];
    let sentAt = 0;
    let answeredAfterMs = -1;
    let done = false;
    const finish = (closedAfterMs?: number) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...parseResponse(Buffer.concat(chunks).toString('utf8')), answeredAfterMs, closedAfterMs });
    };
    const timer = setTimeout(() => finish(), waitMs);
    socket.on('data', (d: Buffer) => {
      if (answeredAfterMs < 0) answeredAfterMs = Date.now() - sentAt;
      chunks.push(d);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => finish(Date.now() - sentAt));
    socket.write(head.replace('{host}', url.host));
    socket.write(start);
    sentAt = Date.now();
  });
}
