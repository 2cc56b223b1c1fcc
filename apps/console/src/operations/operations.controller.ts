import { Controller, Get, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { layout } from '../html/layout';
import { LiveFeed } from '../live/live-feed';
import { SessionStore, type ConsoleSession } from '../session/session.store';
import { ShownError } from '../html/components';
import { refusal, ServiceClient } from '../upstream/service-client';
import { CurrentSession, seeOther, sendPage } from '../web/console-request';
import { ConsumerLag } from './consumer-lag';
import { operationsPage } from './operations.page';
import { parsePrometheus, sumBy } from './prometheus-text';
import type { IntakeView, ListsView, VerifyReport, VerifyRun } from './operations.types';

const INTAKE_METRICS = ['webhook_requests_received_total', 'webhook_accepted_total', 'webhook_duplicates_total', 'webhook_rejected_total', 'webhook_spool_depth'];
/** A verification recomputes the whole chain: it gets longer than an ordinary call. */
const VERIFY_TIMEOUT_MS = 120_000;

/** The suite's health for the people running it: audit chain, watchlists, webhook intake, consumer lag. */
@Controller('operations')
export class OperationsController {
  /** The last verification run from this console (by anyone), shown until the next one. */
  private lastVerify?: VerifyRun;

  constructor(
    private readonly store: SessionStore,
    private readonly services: ServiceClient,
    private readonly feed: LiveFeed,
    private readonly lag: ConsumerLag,
  ) {}

  @Get()
  async view(@CurrentSession() s: ConsoleSession, @Res() res: Response): Promise<void> {
    const [lists, intake, lag] = await Promise.all([
      this.services.json<ListsView>('aml-trigger', s.apiKey, '/lists').catch((err: Error) => err),
      this.intake().catch((err: Error) => err),
      this.lag.groups().catch((err: Error) => new ShownError(`Consumer offsets could not be read from Kafka: ${err.message}`)),
    ]);
    sendPage(res, layout('Operations', { session: s, flash: this.store.takeFlash(s), nav: 'operations' }, operationsPage(s, { lastVerify: this.lastVerify, checkpoint: this.feed.lastCheckpoint, lists, intake, lag })));
  }

  @Post('verify')
  async verify(@CurrentSession() s: ConsoleSession, @Res() res: Response): Promise<void> {
    try {
      const report = await this.services.json<VerifyReport>('audit-log', s.apiKey, '/audit/verify', { timeoutMs: VERIFY_TIMEOUT_MS });
      this.lastVerify = { report, by: s.principal.name, at: new Date().toISOString() };
      s.flash = report.ok ? { kind: 'success', text: `The audit chain verifies: ${report.entries} entries.` } : { kind: 'error', text: `The audit chain does not verify at entry ${report.broken?.sequence}: ${report.broken?.reason}` };
    } catch (err) {
      s.flash = refusal(err);
    }
    seeOther(res, '/operations');
  }

  @Post('lists/reload')
  async reloadLists(@CurrentSession() s: ConsoleSession, @Res() res: Response): Promise<void> {
    try {
      const r = await this.services.json<{ changed: boolean; rejected?: boolean }>('aml-trigger', s.apiKey, '/lists/reload', { method: 'POST' });
      s.flash = { kind: 'success', text: r.changed ? 'The lists changed and are reloaded; monitored subjects are screened again.' : 'The lists are reloaded; their content did not change.' };
    } catch (err) {
      s.flash = refusal(err);
    }
    seeOther(res, '/operations');
  }

  private async intake(): Promise<IntakeView> {
    const samples = parsePrometheus(await this.services.text('webhook-gateway', '/metrics'), INTAKE_METRICS);
    return {
      received: sumBy(samples, 'webhook_requests_received_total', ['source']),
      accepted: sumBy(samples, 'webhook_accepted_total', ['source', 'via']),
      duplicates: sumBy(samples, 'webhook_duplicates_total', []).reduce((n, r) => n + r.value, 0),
      rejected: sumBy(samples, 'webhook_rejected_total', ['reason', 'status']),
      spoolDepth: samples.find((x) => x.name === 'webhook_spool_depth')?.value,
    };
  }
}
