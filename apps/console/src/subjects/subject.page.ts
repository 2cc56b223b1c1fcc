import { badge, can, csrfField, roleNote, sectionError, when } from '../html/components';
import { html, path, type SafeHtml } from '../html/html';
import type { ConsoleSession } from '../session/session.store';
import type { SubjectRetention, SubjectVerifications } from './subject.types';

export interface SubjectPageData {
  subjectRef: string;
  cursor?: string;
  verifications: SubjectVerifications | Error | null;
  retention: SubjectRetention | Error;
  erasureRequests: string[];
}

function verificationsTable(subjectRef: string, v: SubjectVerifications | null, cursor?: string): SafeHtml {
  if (!v || v.items.length === 0) return html`<p class="muted">No verification of this subject is recorded.</p>`;
  return html`<table class="data">
  <caption>Verification sessions, newest first</caption>
  <thead><tr><th scope="col">Session</th><th scope="col">Provider</th><th scope="col">Status</th><th scope="col">Provider status</th><th scope="col">Decided</th><th scope="col">Started</th></tr></thead>
  <tbody>${v.items.map(
    (i) => html`<tr><td><a href="${path(['sessions', i.sessionId])}" class="mono">${i.sessionId}</a></td><td>${i.provider}</td><td>${badge(i.status, 'status')}${i.erasedAt ? ' (erased)' : ''}</td><td>${i.providerStatus}</td><td>${when(i.decidedAt)}</td><td>${when(i.createdAt)}</td></tr>`,
  )}</tbody>
</table>
<nav aria-label="Verification pages" class="pager">${cursor ? html`<a href="${path(['subjects', subjectRef])}">First page</a>` : ''}${v.nextCursor ? html`<a href="${path(['subjects', subjectRef], { cursor: v.nextCursor })}" rel="next">More sessions</a>` : ''}</nav>`;
}

function holdsSection(session: ConsoleSession, subjectRef: string, r: SubjectRetention): SafeHtml {
  const admin = can(session, 'admin');
  const rows = r.legalHolds.map(
    (h) => html`<tr data-hold-id="${h.id}"><td>${h.reason}</td><td>${when(h.placedAt)}</td><td>${h.until ? when(h.until) : 'until released'}</td><td>${
      admin
        ? html`<form method="post" action="${path(['subjects', subjectRef, 'legal-holds', h.id, 'release'])}" class="inline">${csrfField(session)}<button type="submit" class="secondary">Release<span class="visually-hidden"> the hold “${h.reason}”</span></button></form>`
        : ''
    }</td></tr>`,
  );
  return html`${
    r.legalHolds.length
      ? html`<table class="data" data-legal-holds><caption>Legal holds in force: while one is, nothing of this subject is purged or erased</caption>
  <thead><tr><th scope="col">Reason</th><th scope="col">Placed</th><th scope="col">Ends</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>
  <tbody>${rows}</tbody></table>`
      : html`<p data-no-legal-holds>No legal hold is in force.</p>`
  }
${
  admin
    ? html`<form method="post" action="${path(['subjects', subjectRef, 'legal-holds'])}" class="stack" novalidate>
  ${csrfField(session)}
  <h3>Place a legal hold</h3>
  <div class="field"><label for="hold-reason">Reason (case number, authority)</label><input id="hold-reason" name="reason" type="text" maxlength="2000" autocomplete="off"></div>
  <div class="field"><label for="hold-until">Ends on (optional)</label><input id="hold-until" name="until" type="date" aria-describedby="hold-until-hint"><p id="hold-until-hint" class="hint">Leave empty to keep the hold until it is released.</p></div>
  <button type="submit">Place legal hold</button>
</form>`
    : roleNote('admin', 'Placing or releasing a legal hold')
}`;
}

function dataTable(r: SubjectRetention): SafeHtml {
  if (r.data.length === 0) return html`<p class="muted">Retention tracks no data of this subject.</p>`;
  return html`<table class="data">
  <caption>Data held about this subject, per session and category, and when it is due for purging</caption>
  <thead><tr><th scope="col">Session</th><th scope="col">Category</th><th scope="col">Clock started</th><th scope="col">Kept for</th><th scope="col">Due</th><th scope="col">Purge</th></tr></thead>
  <tbody>${r.data.map(
    (d) => html`<tr><td><a href="${path(['sessions', d.sessionId])}" class="mono">${d.sessionId.slice(0, 8)}…</a></td><td>${d.category}</td><td>${when(d.clockStartedAt)}</td><td>${d.retentionDays === null ? 'indefinitely' : `${d.retentionDays} days`}</td><td>${when(d.dueAt)}</td><td>${
      d.purge ? html`${d.purge.completedAt ? html`done ${when(d.purge.completedAt)}` : 'sent'}; confirmed by ${d.purge.confirmedBy.join(', ') || 'none yet'}` : html`<span class="muted">not due</span>`
    }</td></tr>`,
  )}</tbody>
</table>`;
}

function erasureSection(session: ConsoleSession, subjectRef: string, ids: string[]): SafeHtml {
  return html`${ids.length ? html`<ul>${ids.map((id) => html`<li><a href="${path(['erasure-requests', id])}">Erasure request ${id}</a></li>`)}</ul>` : html`<p class="muted">No erasure request of this subject is known here.</p>`}
${
  can(session, 'admin')
    ? html`<form method="post" action="${path(['subjects', subjectRef, 'erasure-requests'])}" class="stack" novalidate>
  ${csrfField(session)}
  <h3>Request erasure</h3>
  <div class="field"><label for="erasure-reason">Reason</label><input id="erasure-reason" name="reason" type="text" maxlength="2000" autocomplete="off" aria-describedby="erasure-reason-hint"><p id="erasure-reason-hint" class="hint">For example “GDPR art. 17 request #123”. Every service erases the subject’s data and confirms; a legal hold in force makes the request wait.</p></div>
  <button type="submit" class="danger">Request erasure</button>
</form>`
    : roleNote('admin', 'Requesting an erasure')
}`;
}

export function subjectPage(session: ConsoleSession, d: SubjectPageData): SafeHtml {
  const r = d.retention;
  return html`<section aria-labelledby="verifications-heading">
  <h2 id="verifications-heading">Verifications</h2>
  ${d.verifications instanceof Error ? sectionError(d.verifications) : verificationsTable(d.subjectRef, d.verifications, d.cursor)}
</section>
<section aria-labelledby="holds-heading">
  <h2 id="holds-heading">Legal holds</h2>
  ${r instanceof Error ? sectionError(r) : holdsSection(session, d.subjectRef, r)}
</section>
<section aria-labelledby="retention-heading">
  <h2 id="retention-heading">Retention clocks</h2>
  ${r instanceof Error ? sectionError(r) : dataTable(r)}
</section>
<section aria-labelledby="erasure-heading">
  <h2 id="erasure-heading">Erasure</h2>
  ${erasureSection(session, d.subjectRef, d.erasureRequests)}
</section>`;
}
