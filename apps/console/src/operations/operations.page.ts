import { anyValue, badge, can, csrfField, details, roleNote, sectionError, when } from '../html/components';
import { html, type SafeHtml } from '../html/html';
import type { Checkpoint } from '../live/live-feed';
import type { ConsoleSession } from '../session/session.store';
import type { GroupLag } from './consumer-lag';
import type { IntakeView, ListsView, VerifyRun } from './operations.types';

export interface OperationsData {
  lastVerify?: VerifyRun;
  checkpoint?: Checkpoint;
  lists: ListsView | Error;
  intake: IntakeView | Error;
  lag: GroupLag[] | Error;
}

function auditSection(session: ConsoleSession, d: OperationsData): SafeHtml {
  const r = d.lastVerify?.report;
  const checkpoint = d.checkpoint
    ? html`<div data-checkpoint>${details([['Sequence', String(d.checkpoint.sequence)], ['Hash', html`<code class="hash">${d.checkpoint.hash}</code>`], ['Signed', when(d.checkpoint.signedAt)], ['Key id', d.checkpoint.keyId]])}</div>`
    : html`<p class="muted">No signed checkpoint has been published yet (or the live feed is not connected).</p>`;
  const result = r
    ? html`<div class="notice ${r.ok ? 'notice-success' : 'notice-error'}" data-verify-ok="${String(r.ok)}"><p><strong>${r.ok ? 'The chain is intact.' : 'The chain does not verify.'}</strong> Checked by ${d.lastVerify?.by} at ${when(d.lastVerify?.at)}.</p></div>
${details([
  ['Entries', String(r.entries)],
  ['Redacted', String(r.redacted)],
  ['Checkpoints verified', `${r.checkpoints.verified} of ${r.checkpoints.total} (keys: ${r.checkpoints.keys})`],
  ['Published checkpoints checked', r.anchors.checked ? String(r.anchors.total) : 'not read'],
  ['Head', html`${r.head.sequence} <code class="hash">${r.head.hash}</code>`],
  ['First break', r.broken ? `entry ${r.broken.sequence}: ${r.broken.reason}` : undefined],
  ['Took', `${r.durationMs} ms`],
])}`
    : html`<p class="muted">Not verified from the console since it started.</p>`;
  return html`<h3>Last signed checkpoint</h3>${checkpoint}
<h3>Verification</h3>
${
  can(session, 'auditor')
    ? html`${result}<form method="post" action="/operations/verify" class="stack">${csrfField(session)}<button type="submit">Verify the audit chain now</button></form>`
    : roleNote('auditor', 'Verifying the audit chain')
}`;
}

function listsSection(session: ConsoleSession, lists: ListsView | Error): SafeHtml {
  if (lists instanceof Error) return sectionError(lists);
  return html`<p>Screening provider: <strong>${lists.provider}</strong>${lists.loadedAt ? html`; loaded ${when(lists.loadedAt)}` : ''}.</p>
<table class="data" data-lists>
  <caption>Loaded watchlists</caption>
  <thead><tr><th scope="col">List</th><th scope="col">Entries</th><th scope="col">Loaded</th><th scope="col">Content hash</th></tr></thead>
  <tbody>${lists.lists.map((l) => html`<tr><td>${l.list}</td><td>${l.entryCount}</td><td>${when(l.loadedAt)}</td><td><code class="hash">${l.contentHash}</code></td></tr>`)}</tbody>
</table>
${lists.problems?.length ? html`<div class="notice notice-warning"><p>Load problems:</p><ul>${lists.problems.map((p) => html`<li>${anyValue(p)}</li>`)}</ul></div>` : ''}
${
  can(session, 'admin')
    ? html`<form method="post" action="/operations/lists/reload" class="stack">${csrfField(session)}<button type="submit" class="secondary">Reload the lists now</button><p class="hint">When their content changed, every monitored subject is screened again.</p></form>`
    : roleNote('admin', 'Reloading the lists')
}`;
}

function intakeSection(intake: IntakeView | Error): SafeHtml {
  if (intake instanceof Error) return sectionError(intake);
  const total = (rows: Array<{ value: number }>) => rows.reduce((n, r) => n + r.value, 0);
  return html`${details([
    ['Received', String(total(intake.received))],
    ['Accepted', String(total(intake.accepted))],
    ['Duplicates', String(intake.duplicates)],
    ['Rejected', String(total(intake.rejected))],
    ['Spool depth (waiting for Kafka)', intake.spoolDepth === undefined ? undefined : html`<span data-spool-depth>${String(intake.spoolDepth)}</span>`],
  ])}
<div class="compare">
<table class="data" data-intake-accepted>
  <caption>Accepted, by source and where they were made durable</caption>
  <thead><tr><th scope="col">Source</th><th scope="col">Via</th><th scope="col">Webhooks</th></tr></thead>
  <tbody>${intake.accepted.length ? intake.accepted.map((r) => html`<tr><td>${r.key.source}</td><td>${r.key.via}</td><td>${r.value}</td></tr>`) : html`<tr><td colspan="3">None</td></tr>`}</tbody>
</table>
<table class="data" data-intake-rejected>
  <caption>Rejected, by reason</caption>
  <thead><tr><th scope="col">Reason</th><th scope="col">HTTP status</th><th scope="col">Requests</th></tr></thead>
  <tbody>${intake.rejected.length ? intake.rejected.map((r) => html`<tr><td>${r.key.reason}</td><td>${r.key.status}</td><td>${r.value}</td></tr>`) : html`<tr><td colspan="3">None</td></tr>`}</tbody>
</table>
</div>`;
}

function lagSection(lag: GroupLag[] | Error): SafeHtml {
  if (lag instanceof Error) return sectionError(lag);
  return html`<table class="data" data-consumer-lag>
  <caption>Records each consumer group has not processed yet (latest offset minus committed offset)</caption>
  <thead><tr><th scope="col">Group</th><th scope="col">Lag</th><th scope="col">State</th><th scope="col">Members</th><th scope="col">Topics</th></tr></thead>
  <tbody>${lag.map(
    (g) => html`<tr data-group="${g.groupId}"><td>${g.group}</td><td>${g.lag}${g.uncommittedPartitions ? html` <span class="muted">(${g.uncommittedPartitions} partitions with nothing committed)</span>` : ''}</td><td>${badge(g.state, 'state')}</td><td>${g.members}</td><td>${g.topics.join(', ')}</td></tr>`,
  )}</tbody>
</table>`;
}

export function operationsPage(session: ConsoleSession, d: OperationsData): SafeHtml {
  return html`<section aria-labelledby="audit-heading"><h2 id="audit-heading">Audit trail</h2>${auditSection(session, d)}</section>
<section aria-labelledby="lists-heading"><h2 id="lists-heading">Watchlists</h2>${listsSection(session, d.lists)}</section>
<section aria-labelledby="intake-heading"><h2 id="intake-heading">Webhook intake (gateway, since it started)</h2>${intakeSection(d.intake)}</section>
<section aria-labelledby="lag-heading"><h2 id="lag-heading">Consumer lag</h2>${lagSection(d.lag)}</section>`;
}
