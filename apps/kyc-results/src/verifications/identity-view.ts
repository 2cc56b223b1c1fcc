import { hasRole, type Principal } from '@compliance/platform';
import type { IdentityAttributes } from '../providers/verification-report';
import type { IdentityView } from './verifications.dto';

const maskName = (name: string) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .map((part) => `${[...part][0]}•••`)
    .join(' ');

/**
 * Who sees which personal data: auditor and admin keys see the identity in full (investigations,
 * audits); analyst keys see enough to recognise a case (initials, birth year, last document
 * characters) but never the full name, date of birth, document number or address.
 */
export function identityViewFor(principal: Principal, identity: IdentityAttributes): IdentityView {
  if (hasRole(principal, 'auditor')) return { visibility: 'full', ...identity };
  const view: IdentityView = { visibility: 'masked' };
  if (identity.fullName) view.fullName = maskName(identity.fullName);
  if (identity.dateOfBirth) view.dateOfBirth = identity.dateOfBirth.slice(0, 4);
  if (identity.nationality) view.nationality = identity.nationality;
  if (identity.documentType) view.documentType = identity.documentType;
  if (identity.documentNumber) view.documentNumber = `•••${identity.documentNumber.slice(-3)}`;
  if (identity.issuingState) view.issuingState = identity.issuingState;
  return view;
}
