import { anyValue, badge, can, csrfField, details, humanize, roleNote, sectionError, when } from '../html/components';
import { html, path, type SafeHtml } from '../html/html';
import { identityDetails, unmaskForm } from '../identity/identity.view';
import type { ConsoleSession } from '../session/session.store';
import type { SubjectScreenings, Timeline, Verification } from './session.types';
import { timelineTable } from './timeline.view';

export interface SessionPageData {
  sessionId: string;
  verification: Verification | Error;
  screenings?: SubjectScreenings | Error;
  timeline?: Timeline | Error;
}

function verificationSection(v: Verification): SafeHtml {
  return details([
    ['Status', html`<span data-verification-status="${v.status}">${badge(v.status, 'status')}</span>`],
    ['Provider', v.provider],
    ['Provider status', v.providerStatus],
    ['Subject', v.subjectRef ? html`<a href="${path(['subjects', v.subjectRef])}">${v.subjectRef}</a>` : html`<span class="muted">erased</span>`],
    ['Status since', when(v.statusAt)],
    ['Decided', when(v.decidedAt)],
    ['Erased', v.erasedAt ? when(v.erasedAt) : undefined],
    ...Object.entries(v.decision ?? {}).map(([k, val]) => [humanize(k), anyValue(val)] as [string, unknown]),
  ]);
}

function historyTable(v: Verification): SafeHtml {
  const rows = v.history ?? [];
  return html`<table class="data">
  <caption>Every report received about this session, in arrival order</caption>
  <thead><tr><th scope="col">Received</th><th scope="col">Provider time</th><th scope="col">Status</th><th scope="col">Provider status</th><th scope="col">Outcome</th><th scope="col">Webhook</th></tr></thead>
  <tbody>${rows.map(
    (h) => html`<tr><td>${when(h.receivedAt)}</td><td>${when(h.occurredAt)}</td><td>${h.previousStatus ? html`${h.previousStatus} → ` : ''}${badge(h.status, 'status')}</td><td>${h.providerStatus}</td><td>${h.outcome}${h.stale ? ' (stale)' : ''}</td><td><code>${h.webhookType}</code></td></tr>`,
  )}</tbody>
</table>`;
}

function screeningsTable(s: SubjectScreenings, sessionId: string): SafeHtml {
  if (s.screenings.length === 0) return html`<p class="muted">No screening of this subject yet.</p>`;
  return html`<table class="data">
  <caption>Screenings of subject ${s.subjectRef}, newest first${s.monitored ? ' (monitored: re-screened when the lists change)' : ''}</caption>
  <thead><tr><th scope="col">Requested</th><th scope="col">This session</th><th scope="col">Provider</th><th scope="col">Trigger</th><th scope="col">Status</th><th scope="col">Outcome</th><th scope="col">Score</th><th scope="col">Alerts</th></tr></thead>
  <tbody>${s.screenings.map(
    (x) => html`<tr><td>${when(x.requestedAt)}</td><td>${x.sessionId === sessionId ? 'yes' : 'no'}</td><td>${x.provider}</td><td>${x.trigger}</td><td>${x.status}</td><td>${badge(x.outcome, 'outcome')}</td><td>${typeof x.score === 'number' ? x.score.toFixed(3) : ''}</td><td>${x.alertIds.map((id, i) => html`${i ? ', ' : ''}<a href="${path(['alerts', id])}">alert ${id.slice(0, 8)}</a>`)}</td></tr>`,
  )}</tbody>
</table>`;
}

function noteForm(session: ConsoleSession, sessionId: string): SafeHtml {
  return html`<form method="post" action="${path(['sessions', sessionId, 'notes'])}" class="stack" novalidate>
  ${csrfField(session)}
  <div class="field">
    <label for="note-text">Add a case note</label>
    <textarea id="note-text" name="text" rows="3" maxlength="4000" aria-describedby="note-text-hint"></textarea>
    <p id="note-text-hint" class="hint">Mention a colleague with @name. Notes are chained into the audit trail: they cannot be edited or deleted.</p>
  </div>
  <button type="submit">Add note</button>
</form>`;
}

export function sessionPage(session: ConsoleSession, d: SessionPageData): SafeHtml {
  const v = d.verification;
  const identitySection =
    v instanceof Error
      ? sectionError(v)
      : html`${identityDetails(v.identity ?? null, v.identity?.visibility)}${v.identity && v.identity.visibility !== 'full' ? unmaskForm(session, path(['sessions', d.sessionId, 'unmask']), 'verification') : ''}`;
  return html`<div class="compare">
  <section aria-labelledby="verification-heading" class="panel">
    <h2 id="verification-heading">Verification</h2>
    ${v instanceof Error ? sectionError(v) : verificationSection(v)}
  </section>
  <section aria-labelledby="identity-heading" class="panel">
    <h2 id="identity-heading">Identity</h2>
    ${identitySection}
  </section>
</div>
<section aria-labelledby="history-heading">
  <h2 id="history-heading">Status history</h2>
  ${v instanceof Error ? sectionError(v) : historyTable(v)}
</section>
<section aria-labelledby="screenings-heading">
  <h2 id="screenings-heading">Screenings</h2>
  ${d.screenings === undefined ? html`<p class="muted">No subject is known for this session.</p>` : d.screenings instanceof Error ? sectionError(d.screenings) : screeningsTable(d.screenings, d.sessionId)}
</section>
<section aria-labelledby="timeline-heading">
  <h2 id="timeline-heading">Timeline and case notes</h2>
  ${!can(session, 'auditor') ? roleNote('auditor', 'Reading the timeline and its case notes') : d.timeline instanceof Error ? sectionError(d.timeline) : d.timeline ? timelineTable(d.timeline.steps) : ''}
  ${noteForm(session, d.sessionId)}
</section>`;
}
