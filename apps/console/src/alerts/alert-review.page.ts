import { anyValue, badge, can, csrfField, details, humanize, sectionError, when } from '../html/components';
import { html, path, type SafeHtml } from '../html/html';
import { identityDetails, unmaskForm } from '../identity/identity.view';
import type { ConsoleSession } from '../session/session.store';
import type { AlertView, ScreeningView } from './alert.types';

type Hit = Record<string, unknown>;
const SHOWN_HIT_FIELDS = ['list', 'entityId', 'matchedName', 'entityName', 'score', 'breakdown', 'listVersion', 'aliases', 'birthDates', 'countries', 'why'];

const num = (v: unknown, digits = 3) => (typeof v === 'number' ? v.toFixed(digits) : v === undefined ? undefined : String(v));
const list = (v: unknown) => (Array.isArray(v) ? v.map(String).join(', ') : v === undefined ? undefined : String(v));

/** Why it matched: the score of each part the screener compared. */
function why(hit: Hit): SafeHtml | string | undefined {
  if (typeof hit.why === 'string') return hit.why;
  const b = hit.breakdown as Record<string, unknown> | undefined;
  if (!b) return undefined;
  const parts = Object.entries(b).map(([k, v]) => html`<li>${k}: ${typeof v === 'boolean' ? (v ? 'matches' : 'differs') : num(v)}</li>`);
  return html`<ul class="plain">${parts}</ul>`;
}

function listVersionOf(hit: Hit, versions: unknown[]): string | undefined {
  if (hit.listVersion) return String(hit.listVersion);
  const v = versions.find((x) => (x as { list?: unknown }).list === hit.list) as { contentHash?: string; loadedAt?: string; entryCount?: number } | undefined;
  return v ? `${v.contentHash?.slice(0, 12) ?? '?'}… loaded ${v.loadedAt?.slice(0, 19).replace('T', ' ') ?? '?'} UTC (${v.entryCount ?? '?'} entries)` : undefined;
}

const optional = (pairs: Array<[string, string | undefined]>) => pairs.filter(([, v]) => v !== undefined && v !== '');

function hitCard(hit: Hit, i: number, versions: unknown[]): SafeHtml {
  const extra = Object.keys(hit).filter((k) => !SHOWN_HIT_FIELDS.includes(k));
  return html`<article class="hit" aria-labelledby="hit-${i}">
  <h3 id="hit-${i}">${String(hit.entityName ?? hit.matchedName ?? hit.entityId ?? `Hit ${i + 1}`)}</h3>
  ${details([
    ['Matched name', hit.matchedName as string | undefined],
    // What the list says about the entry, when the screener reports it: compared with the subject beside it.
    ...optional([
      ['Aliases', list(hit.aliases)],
      ['Birth dates', list(hit.birthDates)],
      ['Countries', list(hit.countries)],
    ]),
    ['List', hit.list as string | undefined],
    ['List version', listVersionOf(hit, versions)],
    ['Entity', hit.entityId as string | undefined],
    ['Score', num(hit.score)],
    ['Why', why(hit)],
    ...extra.map((k) => [humanize(k), anyValue(hit[k])] as [string, unknown]),
  ])}
</article>`;
}

function subjectSide(session: ConsoleSession, alert: AlertView, screening: ScreeningView | Error | undefined): SafeHtml {
  if (!alert.screeningId) return html`<p class="muted">This alert names no screening.</p>`;
  if (screening instanceof Error) return sectionError(screening);
  if (!screening) return html``;
  return html`${identityDetails(screening.input, screening.inputVisibility)}
${details([
  ['Screened', when(screening.completedAt ?? screening.requestedAt)],
  ['Provider', screening.provider],
  ['Outcome', badge(screening.outcome, 'outcome')],
  ['Score', num(screening.score)],
])}
${screening.inputVisibility === 'masked' && screening.input ? unmaskForm(session, path(['alerts', alert.id, 'unmask']), 'screening') : ''}`;
}

function decisionForm(session: ConsoleSession, alert: AlertView): SafeHtml {
  const action = path(['alerts', alert.id, 'review']);
  const note = (hint: string) => html`<div class="field">
    <label for="note">Note</label>
    <textarea id="note" name="note" rows="4" maxlength="2000" aria-describedby="note-hint"></textarea>
    <p id="note-hint" class="hint">${hint}</p>
  </div>`;
  if (alert.status === 'open') {
    return html`<form method="post" action="${action}" class="stack" novalidate>
  ${csrfField(session)}
  <fieldset>
    <legend>Decision</legend>
    <div class="choice"><input type="radio" id="decision-confirmed" name="decision" value="confirmed"><label for="decision-confirmed">Confirmed match</label></div>
    <div class="choice"><input type="radio" id="decision-false-positive" name="decision" value="false_positive"><label for="decision-false-positive">False positive</label></div>
  </fieldset>
  ${note(alert.kind === 'aml_match' ? 'Required to clear a likely sanctions match. A second, different reviewer (auditor or admin) then confirms the clearance.' : 'Why you decided so (kept with the decision).')}
  <button type="submit">Record decision</button>
</form>`;
  }
  if (alert.status !== 'false_positive_proposed') return html``;
  const mayConfirm = can(session, 'auditor') && session.principal.name !== alert.proposal?.by;
  const why = mayConfirm
    ? ''
    : session.principal.name === alert.proposal?.by
      ? html`<p class="notice notice-info">You proposed this clearance: a different auditor or admin must confirm it.</p>`
      : html`<p class="notice notice-info" data-role-note="auditor">Confirming the clearance needs the <strong>auditor</strong> role; you may still confirm the match.</p>`;
  return html`${why}<form method="post" action="${action}" class="stack" novalidate>
  ${csrfField(session)}
  ${note('Optional for the second review; the proposer’s note is kept.')}
  <div class="actions">
    ${mayConfirm ? html`<button type="submit" name="decision" value="false_positive">Confirm false positive</button>` : ''}
    <button type="submit" name="decision" value="confirmed" class="secondary">Confirm the match instead</button>
  </div>
</form>`;
}

function reviewState(alert: AlertView): SafeHtml {
  const p = alert.proposal;
  const r = alert.review;
  return html`${p ? html`<div class="notice notice-warning" data-proposal><p><strong>Clearance proposed</strong> by ${p.by} at ${when(p.at)}: waiting for a second reviewer (auditor or admin).</p><blockquote>${p.note}</blockquote></div>` : ''}
${r ? details([['Decided by', r.by], ['Second reviewer', r.secondReviewer], ['At', when(r.at)], ['Note', r.note]]) : ''}`;
}

export function alertReviewPage(session: ConsoleSession, alert: AlertView, screening: ScreeningView | Error | undefined): SafeHtml {
  const d = alert.details ?? {};
  const hits = (Array.isArray(d.hits) ? d.hits : []) as Hit[];
  const versions = (Array.isArray(d.listVersions) ? d.listVersions : []) as unknown[];
  return html`<section aria-labelledby="alert-heading">
  <h2 id="alert-heading">Alert</h2>
  <p class="summary-text">${alert.summary}</p>
  ${details([
    ['Status', html`<span data-alert-status="${alert.status}">${badge(alert.status, 'status')}</span>`],
    ['Kind', badge(alert.kind, 'kind')],
    ['Severity', badge(alert.severity, 'severity')],
    ['Raised', when(alert.raisedAt)],
    ['Subject', html`<a href="${path(['subjects', alert.subjectRef])}">${alert.subjectRef}</a>`],
    ['Session', alert.sessionId ? html`<a href="${path(['sessions', alert.sessionId])}">${alert.sessionId}</a>` : undefined],
    ['Algorithm', d.algorithm ? anyValue(d.algorithm) : undefined],
    ['Thresholds', d.thresholds ? anyValue(d.thresholds) : undefined],
  ])}
</section>
<div class="compare">
  <section aria-labelledby="subject-heading" class="panel">
    <h2 id="subject-heading">The subject, as screened</h2>
    ${subjectSide(session, alert, screening)}
  </section>
  <section aria-labelledby="hits-heading" class="panel">
    <h2 id="hits-heading">Watchlist entries matched (${hits.length}${typeof d.newHitCount === 'number' && d.newHitCount > hits.length ? ` of ${d.newHitCount}` : ''})</h2>
    ${hits.length ? hits.map((h, i) => hitCard(h, i, versions)) : html`<p class="muted">This alert is not about watchlist hits.</p>`}
  </section>
</div>
<section aria-labelledby="review-heading">
  <h2 id="review-heading">Review</h2>
  ${reviewState(alert)}
  ${decisionForm(session, alert)}
</section>`;
}
