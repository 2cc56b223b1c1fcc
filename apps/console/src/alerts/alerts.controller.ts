import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { path } from '../html/html';
import { layout } from '../html/layout';
import { SessionStore, type ConsoleSession } from '../session/session.store';
import { refusal, ServiceClient, UpstreamError } from '../upstream/service-client';
import { CurrentSession, field, seeOther, sendPage } from '../web/console-request';
import { alertQueuePage } from './alert-queue.page';
import { alertReviewPage, entryKey, type ListEntries } from './alert-review.page';
import { PAGE_SIZE, QUEUE_KINDS, QUEUE_STATUSES, type AlertQueuePage, type AlertView, type ListEntryView, type QueueStatus, type ScreeningView } from './alert.types';

const DECISION_DONE: Record<string, string> = {
  false_positive_proposed: 'Clearance proposed. A second, different reviewer with the auditor or admin role must confirm it.',
  false_positive: 'The alert is closed as a false positive.',
  confirmed: 'The alert is closed as a confirmed match.',
};

/** A screening reports at most 10 hits; more would be a malformed alert, not more to compare. */
const MAX_ENTRIES = 20;

@Controller('alerts')
export class AlertsController {
  constructor(
    private readonly store: SessionStore,
    private readonly services: ServiceClient,
  ) {}

  @Get()
  async queue(@CurrentSession() s: ConsoleSession, @Query() q: Record<string, unknown>, @Res() res: Response): Promise<void> {
    const status = (QUEUE_STATUSES as readonly unknown[]).includes(q.status) ? (q.status as QueueStatus) : 'open';
    const kind = (QUEUE_KINDS as readonly unknown[]).includes(q.kind) ? (q.kind as string) : '';
    const cursor = typeof q.cursor === 'string' && /^[A-Za-z0-9_-]{1,200}$/.test(q.cursor) ? q.cursor : undefined;
    const page = await this.services.json<AlertQueuePage>('aml-trigger', s.apiKey, '/alerts', { query: { status, kind, limit: PAGE_SIZE, cursor } });
    sendPage(res, layout('Alert queue', { session: s, flash: this.store.takeFlash(s), nav: 'alerts' }, alertQueuePage(page, { status, kind, cursor })));
  }

  @Get(':id')
  async review(@CurrentSession() s: ConsoleSession, @Param('id') id: string, @Res() res: Response): Promise<void> {
    const alert = await this.alert(s, id);
    let screening: Promise<ScreeningView | Error | undefined> = Promise.resolve(undefined);
    if (alert.screeningId) {
      const revealed = this.store.takeReveal(s, `screening:${alert.screeningId}`) as ScreeningView | undefined;
      screening = revealed
        ? Promise.resolve(revealed)
        : this.services.json<ScreeningView>('aml-trigger', s.apiKey, path(['screenings', alert.screeningId]), { query: { identity: 'masked' } }).catch((err: Error) => err);
    }
    const [screened, entries] = await Promise.all([screening, this.listEntries(s, alert)]);
    sendPage(res, layout(`Alert ${alert.id.slice(0, 8)}`, { session: s, flash: this.store.takeFlash(s), nav: 'alerts' }, alertReviewPage(s, alert, screened, entries)));
  }

  @Post(':id/review')
  async decide(@CurrentSession() s: ConsoleSession, @Param('id') id: string, @Body() body: unknown, @Res() res: Response): Promise<void> {
    const decision = field(body, 'decision');
    const note = field(body, 'note');
    if (decision !== 'confirmed' && decision !== 'false_positive') {
      s.flash = { kind: 'error', text: 'Choose a decision: confirmed match or false positive.' };
    } else {
      try {
        const after = await this.services.json<AlertView>('aml-trigger', s.apiKey, path(['alerts', id, 'review']), { method: 'POST', body: { decision, ...(note ? { note } : {}) } });
        s.flash = { kind: 'success', text: DECISION_DONE[after.status] ?? `The alert is now ${after.status}.` };
      } catch (err) {
        s.flash = refusal(err);
      }
    }
    seeOther(res, path(['alerts', id]));
  }

  /** Unmasks the screened identity once, with the user's reason; aml-trigger records the access. */
  @Post(':id/unmask')
  async unmask(@CurrentSession() s: ConsoleSession, @Param('id') id: string, @Body() body: unknown, @Res() res: Response): Promise<void> {
    const reason = field(body, 'reason');
    try {
      const alert = await this.alert(s, id);
      if (!alert.screeningId) throw new UpstreamError('aml-trigger', 404, 'NO_SCREENING', 'this alert names no screening');
      const screening = await this.services.json<ScreeningView>('aml-trigger', s.apiKey, path(['screenings', alert.screeningId]), { query: { identity: 'full', reason } });
      this.store.reveal(s, `screening:${alert.screeningId}`, screening);
      s.flash = { kind: 'success', text: 'The identity is unmasked for this view only; the access is recorded in the audit trail.' };
    } catch (err) {
      s.flash = refusal(err);
    }
    seeOther(res, path(['alerts', id]));
  }

  /** The list entry of each hit, side by side with the subject; an entry that cannot be read says why in its card. */
  private async listEntries(s: ConsoleSession, alert: AlertView): Promise<ListEntries> {
    const hits = (Array.isArray(alert.details?.hits) ? alert.details.hits : []) as Array<Record<string, unknown>>;
    const unique = new Map<string, { list: string; entityId: string }>();
    for (const h of hits) if (typeof h.list === 'string' && typeof h.entityId === 'string') unique.set(entryKey(h), { list: h.list, entityId: h.entityId });
    const wanted = [...unique].slice(0, MAX_ENTRIES);
    const found = await Promise.all(
      wanted.map(([, h]) => this.services.json<ListEntryView>('aml-trigger', s.apiKey, path(['lists', h.list, 'entries', h.entityId])).catch((err: Error) => err)),
    );
    return new Map(wanted.map(([key], i) => [key, found[i]]));
  }

  private alert(s: ConsoleSession, id: string): Promise<AlertView> {
    return this.services.json<AlertView>('aml-trigger', s.apiKey, path(['alerts', id]));
  }
}
