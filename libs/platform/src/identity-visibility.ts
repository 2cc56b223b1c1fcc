import { BadRequestException, ForbiddenException, applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Length } from 'class-validator';
import { hasRole, type Principal } from './api-keys';

/** How a person's identity is shown: in full, or masked for recognising a case without the data. */
export type IdentityVisibility = 'masked' | 'full';

/** Bounds of the reason given for unmasking an identity (`?reason=`), in characters, after trimming. */
export const UNMASK_REASON_LENGTH = { min: 8, max: 500 } as const;
const REASON_MESSAGE = `reason must be ${UNMASK_REASON_LENGTH.min} to ${UNMASK_REASON_LENGTH.max} characters`;

const isUnmaskReason = (reason: string) => {
  const length = [...reason].length;
  return length >= UNMASK_REASON_LENGTH.min && length <= UNMASK_REASON_LENGTH.max;
};

/**
 * Which personal data a caller may see, the same in every service: auditor and admin keys see an
 * identity in full (investigations, audits) unless they ask for the masked view; analyst keys see
 * enough to recognise a case (initials, birth year, last document characters), and may see it
 * unmasked only by asking for it explicitly with a reason (`identity=full&reason=…`, 403
 * REASON_REQUIRED without one). Every unmasked view is recorded as an access event, with the reason
 * when one was given, before it is answered.
 */
export function visibilityFor(principal: Principal, requested?: IdentityVisibility, reason?: string): IdentityVisibility {
  if (reason !== undefined && !isUnmaskReason(reason)) {
    throw new BadRequestException({ statusCode: 400, code: 'BAD_REASON', message: REASON_MESSAGE });
  }
  const privileged = hasRole(principal, 'auditor');
  if (requested === 'full' && !privileged && !reason) {
    throw new ForbiddenException({ statusCode: 403, code: 'REASON_REQUIRED', message: 'an analyst must give a reason (8 to 500 characters) to unmask an identity' });
  }
  return requested ?? (privileged ? 'full' : 'masked');
}

/**
 * `?reason=` on a read that may unmask an identity: optional, trimmed, 8 to 500 characters (400
 * otherwise). Recorded with the access event of an unmasked read; required of analysts for one.
 */
export function UnmaskReason(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      minLength: UNMASK_REASON_LENGTH.min,
      maxLength: UNMASK_REASON_LENGTH.max,
      description:
        'why the identity is unmasked (recorded with the access event, shown in the audit trail); required of analyst keys with identity=full, optional for auditor and admin keys',
    }),
    Transform(({ value }) => (typeof value === 'string' ? value.trim() : value)),
    IsOptional(),
    IsString({ message: REASON_MESSAGE }),
    Length(UNMASK_REASON_LENGTH.min, UNMASK_REASON_LENGTH.max, { message: REASON_MESSAGE }),
  );
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
