import { Body, Controller, Get, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { can } from '../html/components';
import { path } from '../html/html';
import { layout } from '../html/layout';
import { SessionStore, type ConsoleSession } from '../session/session.store';
import { refusal, ServiceClient } from '../upstream/service-client';
import { CurrentSession, field, seeOther, sendPage } from '../web/console-request';
import { sessionPage } from './session.page';
import type { SubjectScreenings, Timeline, Verification } from './session.types';

const asError = (err: Error) => err;

/** A verification session across the services: its record, screenings, timeline and case notes. */
@Controller('sessions')
export class SessionsController {
  constructor(
    private readonly store: SessionStore,
    private readonly services: ServiceClient,
  ) {}

  @Get(':sessionId')
  async view(@CurrentSession() s: ConsoleSession, @Param('sessionId') sessionId: string, @Res() res: Response): Promise<void> {
    const revealed = this.store.takeReveal(s, `verification:${sessionId}`) as Verification | undefined;
    const [verification, timeline] = await Promise.all([
      revealed ?? this.services.json<Verification>('kyc-results', s.apiKey, path(['verifications', sessionId]), { query: { identity: 'masked' } }).catch(asError),
      can(s, 'auditor') ? this.services.json<Timeline>('audit-log', s.apiKey, path(['sessions', sessionId, 'timeline'])).catch(asError) : undefined,
    ]);
    const subjectRef = verification instanceof Error ? (timeline instanceof Error ? undefined : timeline?.subjectRef) : verification.subjectRef;
    const screenings = subjectRef
      ? await this.services.json<SubjectScreenings>('aml-trigger', s.apiKey, path(['subjects', subjectRef, 'screenings']), { query: { identity: 'masked' } }).catch(asError)
      : undefined;
    sendPage(res, layout(`Session ${sessionId}`, { session: s, flash: this.store.takeFlash(s) }, sessionPage(s, { sessionId, verification, screenings, timeline })));
  }

  @Post(':sessionId/notes')
  async addNote(@CurrentSession() s: ConsoleSession, @Param('sessionId') sessionId: string, @Body() body: unknown, @Res() res: Response): Promise<void> {
    const text = field(body, 'text');
    if (!text) s.flash = { kind: 'error', text: 'Write the note before adding it.' };
    else {
      try {
        const note = await this.services.json<{ data?: { mentions?: string[] } }>('audit-log', s.apiKey, path(['sessions', sessionId, 'notes']), { method: 'POST', body: { text } });
        const mentions = note.data?.mentions ?? [];
        s.flash = { kind: 'success', text: `Note added to the audit trail${mentions.length ? `, mentioning ${mentions.map((m) => `@${m}`).join(', ')}` : ''}.` };
      } catch (err) {
        s.flash = refusal(err);
      }
    }
    seeOther(res, path(['sessions', sessionId]));
  }

  /** Unmasks the verified identity once, with the user's reason; kyc-results records the access. */
  @Post(':sessionId/unmask')
  async unmask(@CurrentSession() s: ConsoleSession, @Param('sessionId') sessionId: string, @Body() body: unknown, @Res() res: Response): Promise<void> {
    try {
      const v = await this.services.json<Verification>('kyc-results', s.apiKey, path(['verifications', sessionId]), { query: { identity: 'full', reason: field(body, 'reason') } });
      this.store.reveal(s, `verification:${sessionId}`, v);
      s.flash = { kind: 'success', text: 'The identity is unmasked for this view only; the access is recorded in the audit trail.' };
    } catch (err) {
      s.flash = refusal(err);
    }
    seeOther(res, path(['sessions', sessionId]));
  }
}
