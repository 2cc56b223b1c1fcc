import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { can } from '../html/components';
import { path } from '../html/html';
import { layout } from '../html/layout';
import { SessionStore, type ConsoleSession } from '../session/session.store';
import { refusal, ServiceClient, UpstreamError } from '../upstream/service-client';
import { CurrentSession, field, seeOther, sendPage } from '../web/console-request';
import { erasurePage } from './erasure.page';
import { subjectPage } from './subject.page';
import type { ErasureReceipt, ErasureReport, SubjectRetention, SubjectVerifications } from './subject.types';

const asError = (err: Error) => err;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A subject across the services: verifications, retention clocks, legal holds and erasure. */
@Controller()
export class SubjectsController {
  constructor(
    private readonly store: SessionStore,
    private readonly services: ServiceClient,
  ) {}

  @Get('subjects/:subjectRef')
  async view(@CurrentSession() s: ConsoleSession, @Param('subjectRef') subjectRef: string, @Query('cursor') cursor: string | undefined, @Res() res: Response): Promise<void> {
    const validCursor = typeof cursor === 'string' && /^[A-Za-z0-9_-]{1,40}$/.test(cursor) ? cursor : undefined;
    const [verifications, retention, audited] = await Promise.all([
      this.services
        .json<SubjectVerifications>('kyc-results', s.apiKey, path(['subjects', subjectRef, 'verifications']), { query: { limit: 20, cursor: validCursor } })
        .catch((err: Error) => (err instanceof UpstreamError && err.status === 404 ? null : err)),
      this.services.json<SubjectRetention>('retention', s.apiKey, path(['subjects', subjectRef, 'retention'])).catch(asError),
      this.auditedErasures(s, subjectRef),
    ]);
    const mine = s.erasureRequests.filter((e) => e.subjectRef === subjectRef).map((e) => e.id);
    const erasureRequests = [...new Set([...mine, ...audited])];
    sendPage(res, layout(`Subject ${subjectRef}`, { session: s, flash: this.store.takeFlash(s) }, subjectPage(s, { subjectRef, cursor: validCursor, verifications, retention, erasureRequests })));
  }

  @Post('subjects/:subjectRef/legal-holds')
  async placeHold(@CurrentSession() s: ConsoleSession, @Param('subjectRef') subjectRef: string, @Body() body: unknown, @Res() res: Response): Promise<void> {
    const reason = field(body, 'reason');
    const until = field(body, 'until');
    if (!reason) s.flash = { kind: 'error', text: 'Give the reason for the legal hold (a case number, the authority).' };
    else if (until && !DATE.test(until)) s.flash = { kind: 'error', text: 'The end date must be a date such as 2027-01-31.' };
    else {
      try {
        const hold = await this.services.json<{ id: string; warning?: string }>('retention', s.apiKey, '/legal-holds', {
          method: 'POST',
          body: { subjectRef, reason, ...(until ? { until: `${until}T23:59:59Z` } : {}) },
        });
        s.flash = { kind: 'success', text: `Legal hold placed: nothing of this subject is purged or erased until it is released.${hold.warning ? ` Note: ${hold.warning}.` : ''}` };
      } catch (err) {
        s.flash = refusal(err);
      }
    }
    seeOther(res, path(['subjects', subjectRef]));
  }

  @Post('subjects/:subjectRef/legal-holds/:id/release')
  async releaseHold(@CurrentSession() s: ConsoleSession, @Param('subjectRef') subjectRef: string, @Param('id') id: string, @Res() res: Response): Promise<void> {
    try {
      const lifted = await this.services.json<{ releasedErasureRequests?: string[] }>('retention', s.apiKey, path(['legal-holds', id]), { method: 'DELETE' });
      const released = lifted.releasedErasureRequests ?? [];
      s.flash = { kind: 'success', text: `Legal hold released.${released.length ? ` Erasure requests it held are now carried out: ${released.join(', ')}.` : ''}` };
    } catch (err) {
      s.flash = refusal(err);
    }
    seeOther(res, path(['subjects', subjectRef]));
  }

  @Post('subjects/:subjectRef/erasure-requests')
  async requestErasure(@CurrentSession() s: ConsoleSession, @Param('subjectRef') subjectRef: string, @Body() body: unknown, @Res() res: Response): Promise<void> {
    const reason = field(body, 'reason');
    if (!reason) {
      s.flash = { kind: 'error', text: 'Give the reason for the erasure (for example the request’s reference).' };
      return seeOther(res, path(['subjects', subjectRef]));
    }
    try {
      const receipt = await this.services.json<ErasureReceipt>('retention', s.apiKey, '/erasure-requests', { method: 'POST', body: { subjectRef, reason } });
      s.erasureRequests.push({ id: receipt.id, subjectRef });
      s.flash = { kind: 'success', text: receipt.repeated ? 'An erasure request for this subject was already open: this is it.' : receipt.status === 'blocked_by_legal_hold' ? 'Erasure requested; it waits until the legal hold is released.' : 'Erasure requested; every service confirms below.' };
      seeOther(res, path(['erasure-requests', receipt.id]));
    } catch (err) {
      s.flash = refusal(err);
      seeOther(res, path(['subjects', subjectRef]));
    }
  }

  @Get('erasure-requests/:id')
  async erasure(@CurrentSession() s: ConsoleSession, @Param('id') id: string, @Res() res: Response): Promise<void> {
    const report = await this.services.json<ErasureReport>('retention', s.apiKey, path(['erasure-requests', id]));
    sendPage(res, layout(`Erasure request ${id.slice(0, 8)}`, { session: s, flash: this.store.takeFlash(s) }, erasurePage(s, report)));
  }

  @Post('erasure-requests/:id/withdraw')
  async withdraw(@CurrentSession() s: ConsoleSession, @Param('id') id: string, @Res() res: Response): Promise<void> {
    try {
      await this.services.json('retention', s.apiKey, path(['erasure-requests', id]), { method: 'DELETE' });
      s.flash = { kind: 'success', text: 'The erasure request is withdrawn.' };
    } catch (err) {
      s.flash = refusal(err);
    }
    seeOther(res, path(['erasure-requests', id]));
  }

  /** Erasure requests the audit trail holds for the subject (auditor and above may read it). */
  private async auditedErasures(s: ConsoleSession, subjectRef: string): Promise<string[]> {
    if (!can(s, 'auditor')) return [];
    const page = await this.services
      .json<{ entries: Array<{ data: { requestId?: unknown } | null }> }>('audit-log', s.apiKey, '/audit/entries', { query: { subjectRef, type: 'retention.erasure.requested', limit: 20 } })
      .catch(() => ({ entries: [] }));
    return page.entries.map((e) => e.data?.requestId).filter((id): id is string => typeof id === 'string');
  }
}
