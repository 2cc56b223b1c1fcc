import { badge, csrfField, details } from '../html/components';
import { html, type SafeHtml } from '../html/html';
import type { ConsoleSession } from '../session/session.store';

const LABELS: Record<string, string> = {
  fullName: 'Full name',
  firstName: 'First name',
  lastName: 'Last name',
  dateOfBirth: 'Date of birth',
  nationality: 'Nationality',
  documentType: 'Document type',
  documentNumber: 'Document number',
  issuingState: 'Issuing state',
  address: 'Address',
};
const ORDER = Object.keys(LABELS);

/** A person's identity as a service answered it, masked or in full, with which it is. */
export function identityDetails(identity: Record<string, unknown> | null | undefined, visibility: string | undefined): SafeHtml {
  if (!identity) return html`<p class="muted">No identity is held (none was reported, or it was erased).</p>`;
  const keys = [...ORDER.filter((k) => k in identity), ...Object.keys(identity).filter((k) => !ORDER.includes(k) && k !== 'visibility')];
  return html`<p>Shown: ${badge(visibility ?? 'masked', 'visibility')}</p>${details(keys.map((k) => [LABELS[k] ?? k, identity[k] as string | undefined]))}`;
}

/**
 * The explicit unmask action: a reason (8–500 characters, recorded with the access in the audit
 * trail; an analyst must give one). The unmasked identity is shown once, on the page this returns to.
 */
export function unmaskForm(session: ConsoleSession, action: string, idPrefix: string): SafeHtml {
  return html`<form method="post" action="${action}" class="stack unmask" novalidate>
  ${csrfField(session)}
  <div class="field">
    <label for="${idPrefix}-reason">Reason for seeing the unmasked identity</label>
    <input id="${idPrefix}-reason" name="reason" type="text" maxlength="500" autocomplete="off" aria-describedby="${idPrefix}-reason-hint">
    <p id="${idPrefix}-reason-hint" class="hint">8 to 500 characters, recorded in the audit trail with your name: say why (an alert, a case), not who. Analysts must give one.</p>
  </div>
  <button type="submit" class="secondary">Unmask identity</button>
</form>`;
}
