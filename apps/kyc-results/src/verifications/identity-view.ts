import { ForbiddenException } from '@nestjs/common';
import { hasRole, type Principal } from '@compliance/platform';
import type { IdentityAttributes } from '../providers/verification-report';
import type { IdentityView, IdentityVisibility } from './verifications.dto';

const maskName = (name: string) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .map((part) => `${[...part][0]}•••`)
    .join(' ');

/**
 * Which personal data a caller may see: auditor and admin keys see the identity in full
 * (investigations, audits) and may ask for the masked view; analyst keys see enough to recognise a
 * case (initials, birth year, last document characters), never the full name, date of birth,
 * document number or address, and asking for more is refused (403).
 */
export function visibilityFor(principal: Principal, requested?: IdentityVisibility): IdentityVisibility {
  const allowed = hasRole(principal, 'auditor');
  if (requested === 'full' && !allowed) {
    throw new ForbiddenException({ statusCode: 403, code: 'FORBIDDEN', message: 'role auditor or above is required to see personal data unmasked' });
  }
  return requested ?? (allowed ? 'full' : 'masked');
}

export function identityView(identity: IdentityAttributes, visibility: IdentityVisibility): IdentityView {
  if (visibility === 'full') return { visibility, ...identity };
  const view: IdentityView = { visibility: 'masked' };
  if (identity.fullName) view.fullName = maskName(identity.fullName);
  if (identity.dateOfBirth) view.dateOfBirth = identity.dateOfBirth.slice(0, 4);
  if (identity.nationality) view.nationality = identity.nationality;
  if (identity.documentType) view.documentType = identity.documentType;
  if (identity.documentNumber) view.documentNumber = `•••${identity.documentNumber.slice(-3)}`;
  if (identity.issuingState) view.issuingState = identity.issuingState;
  return view;
}
