import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { writeAnswer } from './webhook-answer';
import type { IngestOutcome } from './webhook-ingest.service';

/** A webhook the ingest refused; the refusal is already counted and reported, only the answer is left. */
export class RefusedWebhook extends Error {
  constructor(readonly outcome: Extract<IngestOutcome, { kind: 'rejected' }>) {
    super(`webhook refused: ${outcome.rejection.reason}`);
  }
}

/** Answers a refused webhook exactly as the fast path does: status, error body, Retry-After, closing. */
@Catch(RefusedWebhook)
export class WebhookRefusalFilter implements ExceptionFilter<RefusedWebhook> {
  catch(refused: RefusedWebhook, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    writeAnswer(http.getRequest<Request>(), http.getResponse<Response>(), refused.outcome);
  }
}
