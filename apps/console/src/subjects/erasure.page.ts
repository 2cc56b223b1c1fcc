import { badge, can, csrfField, details, when } from '../html/components';
import { html, path, type SafeHtml } from '../html/html';
import type { ConsoleSession } from '../session/session.store';
import type { ErasureReport } from './subject.types';

const OPEN = ['in_progress', 'blocked_by_legal_hold'];

export function erasurePage(session: ConsoleSession, e: ErasureReport): SafeHtml {
  const open = OPEN.includes(e.status);
  const counts = (c: Record<string, number> | null) => (c ? Object.entries(c).map(([k, n]) => `${k} ${n}`).join(', ') : '');
  // While it is open, console.js refreshes this region (the page works without it: reload).
  return html`<div id="erasure-progress" ${open ? html`data-poll-region data-poll-seconds="3"` : ''}>
<section aria-labelledby="request-heading">
  <h2 id="request-heading">Request</h2>
  ${details([
    ['Status', html`<span data-erasure-status="${e.status}">${badge(e.status, 'status')}</span>`],
    ['Subject', html`<a href="${path(['subjects', e.subjectRef])}">${e.subjectRef}</a>`],
    ['Reason', e.reason],
    ['Requested by', e.requestedBy],
    ['Requested', when(e.requestedAt)],
    ['Sent to the services', when(e.dispatchedAt)],
    ['Deadline', when(e.deadlineAt)],
    ['Finished', when(e.finishedAt)],
    ['Held by legal hold', e.legalHoldId],
    ['Overdue alert', e.overdueAlertId ? html`<a href="${path(['alerts', e.overdueAlertId])}">${e.overdueAlertId}</a>` : undefined],
    ['Data keys destroyed', e.keysDestroyed === null ? 'no keyring' : String(e.keysDestroyed)],
    ['Waiting for', e.waitingFor.length ? e.waitingFor.join(', ') : undefined],
  ])}
</section>
<section aria-labelledby="progress-heading">
  <h2 id="progress-heading">Confirmations</h2>
  <table class="data" data-erasure-services>
    <caption>Each data-holding service confirms its erasure</caption>
    <thead><tr><th scope="col">Service</th><th scope="col">Confirmed</th><th scope="col">At</th><th scope="col">Records erased</th></tr></thead>
    <tbody>${e.services.map((s) => html`<tr data-service="${s.service}"><td>${s.service}</td><td>${s.confirmed ? 'yes' : 'waiting'}</td><td>${when(s.completedAt)}</td><td>${counts(s.counts)}</td></tr>`)}</tbody>
  </table>
  ${
    e.provider.enabled
      ? html`<table class="data"><caption>Deletion at the identity provider, per session</caption><thead><tr><th scope="col">Session</th><th scope="col">Outcome</th><th scope="col">HTTP status</th><th scope="col">Attempts</th></tr></thead>
  <tbody>${e.provider.sessions.map((p) => html`<tr><td class="mono">${p.sessionId}</td><td>${p.outcome}</td><td>${p.httpStatus ?? ''}</td><td>${p.attempts ?? ''}</td></tr>`)}</tbody></table>`
      : ''
  }
</section>
</div>
${
  e.status === 'blocked_by_legal_hold' && can(session, 'admin')
    ? html`<form method="post" action="${path(['erasure-requests', e.id, 'withdraw'])}" class="stack">${csrfField(session)}<button type="submit" class="secondary">Withdraw this request</button></form>`
    : ''
}`;
}
