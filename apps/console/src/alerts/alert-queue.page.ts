import { ageOf, badge, when } from '../html/components';
import { html, path, type SafeHtml } from '../html/html';
import { PAGE_SIZE, QUEUE_KINDS, QUEUE_STATUSES, type AlertQueuePage, type AlertSummary, type QueueStatus } from './alert.types';

export interface QueueFilter {
  status: QueueStatus;
  kind: string;
  cursor?: string;
}

const STATUS_LABELS: Record<QueueStatus, string> = { open: 'Open', false_positive_proposed: 'Clearance proposed (second review)', closed: 'Closed', all: 'All statuses' };
const label = (kind: string) => kind.replace(/_/g, ' ');

/** One row; console.js builds the same cells for an alert that arrives live. */
export function alertRow(a: AlertSummary, now = Date.now()): SafeHtml {
  return html`<tr data-alert-id="${a.id}">
  <td>${when(a.raisedAt)}</td>
  <td data-age="${a.raisedAt}">${ageOf(a.raisedAt, now)}</td>
  <td>${badge(a.kind, 'kind')}</td>
  <td>${badge(a.severity, 'severity')}</td>
  <td data-status>${badge(a.status, 'status')}</td>
  <td><a href="${path(['subjects', a.subjectRef])}">${a.subjectRef}</a></td>
  <td>${a.sessionId ? html`<a href="${path(['sessions', a.sessionId])}" class="mono">${a.sessionId.slice(0, 8)}…</a>` : html`<span class="muted">—</span>`}</td>
  <td class="summary">${a.summary ?? ''}</td>
  <td class="action"><a href="${path(['alerts', a.id])}">Review<span class="visually-hidden"> alert ${a.id}</span></a></td>
</tr>`;
}

function filterForm(f: QueueFilter): SafeHtml {
  return html`<form method="get" action="/alerts" class="filters" aria-label="Filter alerts">
  <div class="field">
    <label for="status">Status</label>
    <select id="status" name="status">${QUEUE_STATUSES.map((s) => html`<option value="${s}"${s === f.status ? html` selected` : ''}>${STATUS_LABELS[s]}</option>`)}</select>
  </div>
  <div class="field">
    <label for="kind">Kind</label>
    <select id="kind" name="kind"><option value="">Every kind</option>${QUEUE_KINDS.map((k) => html`<option value="${k}"${k === f.kind ? html` selected` : ''}>${label(k)}</option>`)}</select>
  </div>
  <button type="submit">Apply filters</button>
</form>`;
}

function counts(page: AlertQueuePage): SafeHtml {
  const kinds = [...new Set([...QUEUE_KINDS, ...Object.keys(page.counts)])];
  return html`<section aria-labelledby="counts-heading" class="counts">
  <h2 id="counts-heading">Open alerts by kind</h2>
  <ul class="count-list">${kinds.map((k) => html`<li><a href="${path(['alerts'], { status: 'open', kind: k })}"><span class="count" data-count-kind="${k}">${page.counts[k] ?? 0}</span> ${label(k)}</a></li>`)}</ul>
</section>`;
}

/** Ages on this page, so an analyst sees at a glance how long the oldest have waited. */
function ages(items: AlertSummary[], now: number): SafeHtml {
  const hour = 3_600_000;
  const buckets = [
    ['under 1 h', items.filter((a) => now - Date.parse(a.raisedAt) < hour).length],
    ['1–24 h', items.filter((a) => now - Date.parse(a.raisedAt) >= hour && now - Date.parse(a.raisedAt) < 24 * hour).length],
    ['over 24 h', items.filter((a) => now - Date.parse(a.raisedAt) >= 24 * hour).length],
  ] as const;
  return html`<p class="ages">Age of the alerts on this page: ${buckets.map(([l, n], i) => html`${i ? ', ' : ''}<strong>${n}</strong> ${l}`)}.</p>`;
}

export function alertQueuePage(page: AlertQueuePage, f: QueueFilter, now = Date.now()): SafeHtml {
  // New alerts are inserted live only where they belong: the first page of a view that shows open alerts.
  const live = !f.cursor && (f.status === 'open' || f.status === 'all');
  return html`${counts(page)}
${filterForm(f)}
<p aria-live="polite" class="live-status" data-live-status>${live ? 'New alerts appear at the top of this list as they are raised.' : ''}</p>
<table class="data" ${live ? html`data-live-alerts data-kind="${f.kind}"` : ''}>
  <caption><span data-count-total>${page.total}</span> ${STATUS_LABELS[f.status].toLowerCase()} alert${page.total === 1 ? '' : 's'}${f.kind ? html` of kind ${label(f.kind)}` : ''}, newest first${f.cursor ? ' (a later page)' : ''}</caption>
  <thead><tr><th scope="col">Raised</th><th scope="col">Age</th><th scope="col">Kind</th><th scope="col">Severity</th><th scope="col">Status</th><th scope="col">Subject</th><th scope="col">Session</th><th scope="col">Summary</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>
  <tbody>${page.items.map((a) => alertRow(a, now))}</tbody>
</table>
${page.items.length === 0 ? html`<p class="empty" data-empty>No alerts match these filters.</p>` : ''}
${ages(page.items, now)}
<nav aria-label="Pages" class="pager">
  ${f.cursor ? html`<a href="${path(['alerts'], { status: f.status, kind: f.kind })}">First page</a>` : ''}
  ${page.nextCursor ? html`<a href="${path(['alerts'], { status: f.status, kind: f.kind, cursor: page.nextCursor })}" rel="next">Next ${PAGE_SIZE} alerts</a>` : ''}
</nav>`;
}
