/**
 * Server-side HTML: every value interpolated into an `html` template is escaped unless it is itself
 * the result of an `html` template (or `trustedHtml`, for constants written in this code base). Pages
 * are built from these fragments only, so a value from a service, a user or a topic cannot become
 * markup or script.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (c) => ESCAPES[c]);
}

/** Nothing for null, undefined and false; fragments as they are; arrays item by item; anything else escaped text. */
function render(value: unknown): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new SafeHtml(out);
}

/** Markup written in this code base (never a value from outside). */
export const trustedHtml = (markup: string): SafeHtml => new SafeHtml(markup);

/**
 * A path of this console from its segments, each percent-encoded (a session id or a subject
 * reference may hold `/`, `?` or `#`), with an optional query of the non-empty parameters.
 */
export function path(segments: Array<string | number>, query: Record<string, string | number | undefined | null> = {}): string {
  const p = `/${segments.map((s) => encodeURIComponent(String(s))).join('/')}`;
  const q = Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== '');
  return q.length ? `${p}?${q.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&')}` : p;
}
