import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IngestOutcome } from './webhook-ingest.service';

/** A refused request whose unread body may be large is not drained: its connection is closed instead. */
const CLOSE_GRACE_MS = 1000;

/**
 * Writes the answer to a webhook request with Node's own response API: the same bytes whether the
 * request came through the fast path or through Nest's router.
 */
export function writeAnswer(req: IncomingMessage, res: ServerResponse, outcome: IngestOutcome): void {
  if (outcome.kind === 'accepted') {
    send(res, outcome.status, outcome.duplicate ? { id: outcome.id, duplicate: true } : { id: outcome.id });
    return;
  }
  const { rejection, requestId } = outcome;
  if (rejection.retryAfterSec) res.setHeader('Retry-After', String(rejection.retryAfterSec));
  if (outcome.closeConnection) {
    res.setHeader('Connection', 'close');
    res.once('finish', () => setTimeout(() => req.socket.destroy(), CLOSE_GRACE_MS).unref());
  }
  send(res, rejection.status, rejection.body(requestId));
}

/** A fault of ours that escaped the ingest's own handling: answered as Nest would answer it. */
export function writeInternalError(res: ServerResponse): void {
  if (res.headersSent) res.destroy();
  else send(res, 500, { statusCode: 500, message: 'Internal server error' });
}

function send(res: ServerResponse, status: number, body: object): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(json) });
  res.end(json);
}
