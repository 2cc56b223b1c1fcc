import { anyValue, when } from '../html/components';
import { html, type SafeHtml } from '../html/html';
import type { TimelineStep } from './session.types';

const MENTION = /(?<![\w@.])@([A-Za-z0-9][A-Za-z0-9._-]{0,63})/g;

/** A note's text with its @mentions marked (the text itself escaped). */
export function withMentions(text: string): SafeHtml {
  const parts: SafeHtml[] = [];
  let at = 0;
  for (const m of text.matchAll(MENTION)) {
    parts.push(html`${text.slice(at, m.index)}<strong class="mention">@${m[1]}</strong>`);
    at = (m.index ?? 0) + m[0].length;
  }
  parts.push(html`${text.slice(at)}`);
  return html`${parts}`;
}

const STEP_LABELS: Record<string, string> = {
  'audit.case_note': 'Case note',
  'compliance.alert.raised': 'Alert raised',
  'compliance.alert.review.proposed': 'Review: clearance proposed',
  'compliance.alert.resolved': 'Review: decided',
  'kyc.identity.accessed': 'Identity unmasked (verification)',
  'aml.identity.accessed': 'Identity unmasked (screening)',
};

function stepData(step: TimelineStep): SafeHtml {
  if (step.redacted || !step.data) return html`<span class="muted">${step.redacted ? 'erased or purged' : '—'}</span>`;
  const d = step.data;
  if (step.type === 'audit.case_note') {
    return html`<p class="note-text">${withMentions(String(d.text ?? ''))}</p><p class="muted">by ${String(d.author ?? '?')}${Array.isArray(d.mentions) && d.mentions.length ? html`; mentions ${d.mentions.map(String).join(', ')}` : ''}</p>`;
  }
  const entries = Object.entries(d).filter(([, v]) => v !== undefined && v !== null && v !== '');
  return html`<ul class="plain kv">${entries.map(([k, v]) => html`<li><span class="k">${k}</span> ${Array.isArray(v) && v.every((x) => typeof x !== 'object') ? v.join(', ') : anyValue(v)}</li>`)}</ul>`;
}

export function timelineTable(steps: TimelineStep[]): SafeHtml {
  return html`<table class="data timeline" data-timeline>
  <caption>${steps.length} step${steps.length === 1 ? '' : 's'}, in the order they happened</caption>
  <thead><tr><th scope="col">When</th><th scope="col">Step</th><th scope="col">Source</th><th scope="col">Details</th></tr></thead>
  <tbody>${steps.map(
    (s) => html`<tr data-step-type="${s.type}"><td>${when(s.occurredAt)}</td><td>${STEP_LABELS[s.type] ? html`${STEP_LABELS[s.type]}<br><code>${s.type}</code>` : html`<code>${s.type}</code>`}</td><td>${s.source.replace(/^urn:compliance:/, '')}</td><td>${stepData(s)}</td></tr>`,
  )}</tbody>
</table>`;
}
