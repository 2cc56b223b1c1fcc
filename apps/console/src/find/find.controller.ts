import { Controller, Get, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { html, path } from '../html/html';
import { layout } from '../html/layout';
import { SessionStore, type ConsoleSession } from '../session/session.store';
import { CurrentSession, seeOther, sendPage } from '../web/console-request';

/** Straight to a session or a subject by its id (GET forms: the address can be shared with a colleague). */
@Controller('find')
export class FindController {
  constructor(private readonly store: SessionStore) {}

  @Get()
  find(@CurrentSession() s: ConsoleSession, @Query('sessionId') sessionId: unknown, @Query('subjectRef') subjectRef: unknown, @Res() res: Response): void {
    const given = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
    const session = given(sessionId);
    const subject = given(subjectRef);
    if (session) return seeOther(res, path(['sessions', session]));
    if (subject) return seeOther(res, path(['subjects', subject]));
    const body = html`<div class="compare">
<form method="get" action="/find" class="stack panel">
  <h2>A verification session</h2>
  <div class="field"><label for="sessionId">Session id</label><input id="sessionId" name="sessionId" type="text" autocomplete="off" spellcheck="false" aria-describedby="sessionId-hint"><p id="sessionId-hint" class="hint">The provider’s session id, as in an alert or a webhook.</p></div>
  <button type="submit">Open session</button>
</form>
<form method="get" action="/find" class="stack panel">
  <h2>A subject</h2>
  <div class="field"><label for="subjectRef">Subject reference</label><input id="subjectRef" name="subjectRef" type="text" autocomplete="off" spellcheck="false" aria-describedby="subjectRef-hint"><p id="subjectRef-hint" class="hint">The customer’s reference for the person (Didit vendor_data).</p></div>
  <button type="submit">Open subject</button>
</form>
</div>`;
    sendPage(res, layout('Find a session or subject', { session: s, flash: this.store.takeFlash(s), nav: 'find' }, body));
  }
}
