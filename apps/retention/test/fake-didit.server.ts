import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the fake answers for one session: 204, 404, 503 then 204, always 500, too slow, 401, 429 then 204. */
export type FakeBehaviour = 'ok' | 'gone' | 'flaky' | 'fail' | 'slow' | 'unauthorized' | 'throttled';

export interface FakeRequest {
  method: string;
  path: string;
  apiKey?: string;
}

/** A local stand-in for Didit's `DELETE /v3/session/{id}/delete/` (node:http, real sockets). */
export class FakeDidit {
  readonly requests: FakeRequest[] = [];
  private readonly behaviours = new Map<string, FakeBehaviour>();
  private readonly calls = new Map<string, number>();

  private constructor(
    private readonly server: Server,
    private readonly slowMs: number,
  ) {
    server.on('request', (req, res) => this.answer(req, res));
  }

  static async start(slowMs = 2000): Promise<FakeDidit> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new FakeDidit(server, slowMs);
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  on(sessionId: string, behaviour: FakeBehaviour): this {
    this.behaviours.set(sessionId, behaviour);
    return this;
  }

  callsFor(sessionId: string): FakeRequest[] {
    return this.requests.filter((r) => r.path === `/v3/session/${sessionId}/delete/`);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    const path = req.url ?? '';
    this.requests.push({ method: req.method ?? '', path, apiKey: req.headers['x-api-key'] as string | undefined });
    const match = /^\/v3\/session\/([^/]+)\/delete\/$/.exec(path);
    if (req.method !== 'DELETE' || !match) return this.send(res, 405, { detail: 'Method not allowed' });
    const sessionId = decodeURIComponent(match[1]);
    const call = (this.calls.get(sessionId) ?? 0) + 1;
    this.calls.set(sessionId, call);
    switch (this.behaviours.get(sessionId) ?? 'ok') {
      case 'gone':
        return this.send(res, 404, { detail: 'Not found.' });
      case 'flaky':
        return this.send(res, call === 1 ? 503 : 204);
      case 'throttled':
        return this.send(res, call === 1 ? 429 : 204);
      case 'fail':
        return this.send(res, 500, { detail: 'server error' });
      case 'unauthorized':
        return this.send(res, 401, { detail: 'Authentication credentials were not provided.' });
      case 'slow':
        setTimeout(() => this.send(res, 204), this.slowMs).unref();
        return;
      default:
        return this.send(res, 204);
    }
  }

  private send(res: ServerResponse, status: number, body?: unknown): void {
    if (res.writableEnded || res.destroyed) return;
    res.writeHead(status, body ? { 'content-type': 'application/json' } : {});
    res.end(body ? JSON.stringify(body) : undefined);
  }
}
