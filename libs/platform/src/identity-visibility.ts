import { ForbiddenException } from '@nestjs/common';
import { hasRole, type Principal } from './api-keys';

/** How a person's identity is shown: in full, or masked for recognising a case without the data. */
export type IdentityVisibility = 'masked' | 'full';

/**
 * Which personal data a caller may see, the same in every service: auditor and admin keys see an
 * identity in full (investigations, audits) and may ask for the masked view; analyst keys see
 * enough to recognise a case (initials, birth year, last document characters), and asking for more
 * is refused (403). Every unmasked view is recorded as an access event before it is answered.
 */
export function visibilityFor(principal: Principal, requested?: IdentityVisibility): IdentityVisibility {
  const allowed = hasRole(principal, 'auditor');
  if (requested === 'full' && !allowed) {
    throw new ForbiddenException({ statusCode: 403, code: 'FORBIDDEN', message: 'role auditor or above is required to see personal data unmasked' });
  }
  return requested ?? (allowed ? 'full' : 'masked');
}

/** Initials only: `Maria Oliveira` → `M••• O•••`. */
export const maskName = (name: string): string =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .map((part) => `${[...part][0]}•••`)
    .join(' ');

/** The year of an ISO date of birth. */
export const maskDateOfBirth = (date: string): string => date.slice(0, 4);

/** The last three characters of a document number. */
export const maskDocumentNumber = (number: string): string => `•••${number.slice(-3)}`;
