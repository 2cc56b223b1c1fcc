import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeReply {
  status?: number;
  body?: unknown;
  /** Answer this late (longer than the client's timeout = a timeout). */
  delayMs?: number;
}

export interface RecordedCall {
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

/**
 * A stand-in for Didit's `POST /v3/aml/` on a real local HTTP port. Replies are scripted per
 * screened full_name (in order; the last one repeats); unscripted names get a clean result.
 */
export class FakeDiditServer {
  readonly calls: RecordedCall[] = [];
  private readonly scripts = new Map<string, FakeReply[]>();
  private server?: Server;
  url = '';

  script(fullName: string, replies: FakeReply[]): void {
    this.scripts.set(fullName, [...replies]);
  }

  callsFor(fullName: string): RecordedCall[] {
    return this.calls.filter((c) => c.body.full_name === fullName);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>;
    this.calls.push({ path: req.url ?? '', headers: req.headers, body });
    if (req.method !== 'POST' || req.url !== '/v3/aml/') return this.send(res, { status: 404, body: { detail: 'not found' } });
    if (req.headers['x-api-key'] !== 'test-didit-key') return this.send(res, { status: 403, body: { detail: 'bad key' } });
    const script = this.scripts.get(String(body.full_name));
    const reply = script && script.length > 1 ? (script.shift() as FakeReply) : (script?.[0] ?? { body: cleanResult(String(body.full_name)) });
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs).unref());
    if (!res.destroyed) this.send(res, reply);
  }

  private send(res: ServerResponse, reply: FakeReply): void {
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(reply.body ?? {}));
  }
}

export function cleanResult(fullName: string): unknown {
  return { request_id: `req-${fullName.length}`, aml: { status: 'Approved', total_hits: 0, hits: [], score: 0, warnings: [] } };
}

/** Didit's answer with one possible PEP/sanctions hit. */
export function hitResult(requestId: string, hit: { id: string; caption: string; matchScore: number; riskScore: number }): unknown {
  return {
    request_id: requestId,
    aml: {
      status: 'In Review',
      total_hits: 1,
      score: hit.riskScore,
      hits: [
        { id: hit.id, caption: hit.caption, match_score: hit.matchScore, risk_score: hit.riskScore, review_status: 'Unreviewed', datasets: ['Sanctions', 'PEP'] },
        { id: 'weak-1', caption: 'Someone Else Entirely', match_score: 41, risk_score: 30, review_status: 'False Positive', datasets: ['PEP'] },
      ],
      warnings: [{ risk: 'POSSIBLE_MATCH_FOUND' }],
    },
  };
}
