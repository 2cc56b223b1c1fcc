import type { INestApplication } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { FastPath } from '@compliance/platform';
import { writeAnswer, writeInternalError } from './webhook-answer';
import { WebhookIngestService } from './webhook-ingest.service';

/** `/webhooks/<source>` as providers call it (a source name as WEBHOOK_SOURCES spells them, maybe a query). */
const WEBHOOK_PATH = /^\/webhooks\/([a-z0-9][a-z0-9_-]{0,62})(?:\?|$)/;

/**
 * `POST /webhooks/:source` without Nest's router, middleware and per-request logger, which cost
 * more CPU than verifying, deduping and producing the webhook together. The answers are the
 * controller's (the same service writes them); any other form of the path still reaches the
 * controller, so nothing changes for it.
 */
export function webhookFastPath(app: INestApplication): FastPath {
  const ingest = app.get(WebhookIngestService);
  return (req, res) => {
    if (req.method !== 'POST') return false;
    const source = WEBHOOK_PATH.exec(req.url ?? '')?.[1];
    if (source === undefined) return false;
    ingest.receive(req, source).then(
      (outcome) => writeAnswer(req, res, outcome),
      (err) => {
        PinoLogger.root.error({ err: (err as Error).message }, 'webhook request failed');
        writeInternalError(res);
      },
    );
    return true;
  };
}
