import { maskDateOfBirth, maskDocumentNumber, maskName, type IdentityVisibility } from '@compliance/platform';
import type { IdentityAttributes } from '../providers/verification-report';
import type { IdentityView } from './verifications.dto';

/**
 * A verification's identity as the caller's role allows (`visibilityFor` in the platform: the same
 * rule in every service). Masked, an analyst sees enough to recognise a case (initials, birth year,
 * last document characters), never the full name, date of birth, document number or address.
 */
export function identityView(identity: IdentityAttributes, visibility: IdentityVisibility): IdentityView {
  if (visibility === 'full') return { visibility, ...identity };
  const view: IdentityView = { visibility: 'masked' };
  if (identity.fullName) view.fullName = maskName(identity.fullName);
  if (identity.dateOfBirth) view.dateOfBirth = maskDateOfBirth(identity.dateOfBirth);
  if (identity.nationality) view.nationality = identity.nationality;
  if (identity.documentType) view.documentType = identity.documentType;
  if (identity.documentNumber) view.documentNumber = maskDocumentNumber(identity.documentNumber);
  if (identity.issuingState) view.issuingState = identity.issuingState;
  return view;
}
