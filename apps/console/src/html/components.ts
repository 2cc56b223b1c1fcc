import { hasRole, type Role } from '@compliance/platform';
import type { ConsoleSession, Flash } from '../session/session.store';
import { UpstreamError } from '../upstream/service-client';
import { html, type SafeHtml } from './html';

/** The session's CSRF token, in every form that POSTs. */
export const csrfField = (session: ConsoleSession): SafeHtml => html`<input type="hidden" name="_csrf" value="${session.csrf}">`;

export const can = (session: ConsoleSession, min: Role): boolean => hasRole(session.principal, min);

export function flashBox(flash: Flash | undefined): SafeHtml {
  if (!flash) return html``;
  return flash.kind === 'error'
    ? html`<div class="notice notice-error" role="alert" data-flash="error"><p>${flash.text}</p></div>`
    : html`<div class="notice notice-success" role="status" data-flash="success"><p>${flash.text}</p></div>`;
}

/** An error whose message is written for the user (never one from a library or a stack). */
export class ShownError extends Error {}

/** A section a service could not fill: its own words (status, code, message), not a stack trace. */
export function sectionError(err: unknown): SafeHtml {
  const text = err instanceof UpstreamError ? err.display : err instanceof ShownError ? err.message : 'Something went wrong while loading this part.';
  return html`<div class="notice notice-error" data-section-error><p>${text}</p></div>`;
}

export function roleNote(min: Role, what: string): SafeHtml {
  return html`<p class="notice notice-info" data-role-note="${min}">${what} needs the <strong>${min}</strong> role.</p>`;
}

/** An instant as UTC text in a <time> element. */
export function when(iso: string | null | undefined): SafeHtml {
  if (!iso) return html`<span class="muted">—</span>`;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return html`${iso}`;
  return html`<time datetime="${d.toISOString()}">${d.toISOString().slice(0, 19).replace('T', ' ')} UTC</time>`;
}

/** How long ago: `42 s`, `5 min`, `3 h`, `2 d`. */
export function ageOf(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86_400)} d`;
}

export function badge(value: string | null | undefined, prefix = 'badge'): SafeHtml {
  if (!value) return html`<span class="muted">—</span>`;
  return html`<span class="badge ${prefix}-${value.replace(/[^a-z0-9_-]/gi, '')}">${value.replace(/_/g, ' ')}</span>`;
}

/** A description list of label → value; values may be fragments. Empty values show a dash. */
export function details(pairs: Array<[string, unknown]>): SafeHtml {
  return html`<dl class="details">${pairs.map(([k, v]) => html`<div><dt>${k}</dt><dd>${v === undefined || v === null || v === '' ? html`<span class="muted">—</span>` : v}</dd></div>`)}</dl>`;
}

/** A field name from a service as a label: `faceMatchScore` → `Face match score`. */
export function humanize(key: string): string {
  const words = key.replace(/_/g, ' ').replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A value of unknown shape from a service (event data, provider output), readable and escaped. */
export function anyValue(value: unknown): SafeHtml {
  if (value === null || value === undefined) return html`<span class="muted">—</span>`;
  if (typeof value === 'object') return html`<code class="json">${JSON.stringify(value)}</code>`;
  return html`${String(value)}`;
}
