import type { KycStatus } from '@compliance/contracts';
import { MalformedPayloadError } from './verification-report';

/** Didit's exact session status strings (DESIGN §8) to the canonical statuses of DESIGN §6. */
export const DIDIT_STATUSES: Readonly<Record<string, KycStatus>> = {
  'Not Started': 'not_started',
  'In Progress': 'in_progress',
  Approved: 'approved',
  Declined: 'declined',
  'In Review': 'in_review',
  'Awaiting User': 'awaiting_user',
  Resubmitted: 'resubmitted',
  Expired: 'expired',
  Abandoned: 'abandoned',
  'Kyc Expired': 'kyc_expired',
};

/** Exact match only: a near miss (`approved`, `In review`) is a payload we do not understand, not a guess. */
export function canonicalDiditStatus(value: unknown, path = 'status'): KycStatus {
  if (typeof value !== 'string') throw new MalformedPayloadError(`${path} is missing or not a string`);
  const status = Object.prototype.hasOwnProperty.call(DIDIT_STATUSES, value) ? DIDIT_STATUSES[value] : undefined;
  if (!status) throw new MalformedPayloadError(`${path} "${value.slice(0, 40)}" is not a Didit session status`);
  return status;
}
