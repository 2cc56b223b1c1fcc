import { anyValue, badge, can, csrfField, details, humanize, sectionError, when } from '../html/components';
import { html, path, type SafeHtml } from '../html/html';
import { identityDetails, unmaskForm } from '../identity/identity.view';
import type { ConsoleSession } from '../session/session.store';
import type { AlertView, ListEntryView, ScreeningView } from './alert.types';

type Hit = Record<string, unknown>;
/** Shown in their own rows; anything else a screener reports is listed after them. */
const SHOWN_HIT_FIELDS = ['list', 'entityId', 'matchedName', 'entityName', 'score', 'breakdown', 'listVersion', 'why', 'schema', 'datasets'];

const num = (v: unknown, digits = 3) => (typeof v === 'number' ? v.toFixed(digits) : v === undefined ? undefined : String(v));
const list = (v: unknown) => (Array.isArray(v) ? (v.length ? v.map(String).join('; ') : undefined) : v === undefined ? undefined : String(v));

/** A list entry by key `list/entityId`: what aml-trigger's loaded list says, or why it could not say. */
export type ListEntries = Map<string, ListEntryView | Error>;
export const entryKey = (hit: Hit): string => `${String(hit.list)}/${String(hit.entityId)}`;

/** Why it matched: the score of each part the screener compared. */
function why(hit: Hit): SafeHtml | string | undefined {
  if (typeof hit.why === 'string') return hit.why;
  const b = hit.breakdown as Record<string, unknown> | undefined;
  if (!b) return undefined;
  const parts = Object.entries(b).map(([k, v]) => html`<li>${k}: ${typeof v === 'boolean' ? (v ? 'matches' : 'differs') : num(v)}</li>`);
  return html`<ul class="plain">${parts}</ul>`;
}

type VersionLike = { list?: unknown; contentHash?: string; loadedAt?: string; entryCount?: number };
const versionText = (v: VersionLike) => `${v.contentHash?.slice(0, 12) ?? '?'}… loaded ${v.loadedAt?.slice(0, 19).replace('T', ' ') ?? '?'} UTC (${v.entryCount ?? '?'} entries)`;

function listVersionOf(hit: Hit, versions: unknown[]): VersionLike | undefined {
  return versions.find((x) => (x as VersionLike).list === hit.list) as VersionLike | undefined;
}

/** What the list says about the entry, beside what the screener found. */
function listEntry(entry: ListEntryView | Error | undefined, screenedWith: VersionLike | undefined): Array<[string, unknown]> {
  if (entry === undefined) return [];
  if (entry instanceof Error) return [['List entry', sectionError(entry)]];
  const loaded = entry.listVersion;
  const changed = screenedWith?.contentHash && loaded && loaded.contentHash !== screenedWith.contentHash ? loaded : undefined;
  return [
    ['Listed name', entry.primaryName],
    ['Aliases', html`<span data-entry-aliases>${list(entry.aliases) ?? html`<span class="muted">none listed</span>`}</span>`],
    ['Birth dates', html`<span data-entry-birth-dates>${list(entry.birthDates) ?? html`<span class="muted">none listed</span>`}</span>`],
    ['Countries', html`<span data-entry-countries>${list(entry.countries) ?? html`<span class="muted">none listed</span>`}</span>`],
    ['Identifiers', list(entry.identifiers)],
    ['Type', entry.schema],
    ['Datasets or programmes', list(entry.datasets)],
    ...(changed ? ([['Entry read from', html`<span data-entry-newer>a newer load of the list (${versionText(changed)}): it may differ from what was screened</span>`]] as Array<[string, unknown]>) : []),
  ];
}

function hitCard(hit: Hit, i: number, versions: unknown[], entries: ListEntries): SafeHtml {
  const extra = Object.keys(hit).filter((k) => !SHOWN_HIT_FIELDS.includes(k));
  const screenedWith = listVersionOf(hit, versions);
  const entry = entries.get(entryKey(hit));
  return html`<article class="hit" aria-labelledby="hit-${i}" data-hit="${entryKey(hit)}">
  <h3 id="hit-${i}">${String(hit.entityName ?? hit.matchedName ?? hit.entityId ?? `Hit ${i + 1}`)}</h3>
  ${details([
    ['Matched name', hit.matchedName as string | undefined],
    ...listEntry(entry, screenedWith),
    ['List', hit.list as string | undefined],
    ['List version', typeof hit.listVersion === 'string' ? hit.listVersion : screenedWith ? versionText(screenedWith) : undefined],
    ['Entry id', hit.entityId as string | undefined],
    ...(entry === undefined || entry instanceof Error ? ([['Datasets or programmes', list(hit.datasets)]] as Array<[string, unknown]>) : []),
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

export function alertReviewPage(session: ConsoleSession, alert: AlertView, screening: ScreeningView | Error | undefined, entries: ListEntries = new Map()): SafeHtml {
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
    ${hits.length ? hits.map((h, i) => hitCard(h, i, versions, entries)) : html`<p class="muted">This alert is not about watchlist hits.</p>`}
  </section>
</div>
<section aria-labelledby="review-heading">
  <h2 id="review-heading">Review</h2>
  ${reviewState(alert)}
  ${decisionForm(session, alert)}
</section>`;
}
