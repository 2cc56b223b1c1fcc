import { BadRequestException, ForbiddenException } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { Principal } from './api-keys';
import { UnmaskReason, visibilityFor } from './identity-visibility';

const analyst: Principal = { name: 'ana', role: 'analyst' };
const auditor: Principal = { name: 'aud', role: 'auditor' };
const admin: Principal = { name: 'adm', role: 'admin' };
const REASON = 'case 4711: document dispute';

class Query {
  @UnmaskReason()
  reason?: string;
}

const errorsOf = (reason: unknown) => validateSync(plainToInstance(Query, { reason })).flatMap((e) => Object.values(e.constraints ?? {}));

describe('who sees an identity unmasked', () => {
  it('shows analysts the masked view, and the full one only when they ask for it with a reason', () => {
    expect(visibilityFor(analyst)).toBe('masked');
    expect(visibilityFor(analyst, 'masked', REASON)).toBe('masked');
    // A reason alone does not unmask.
    expect(visibilityFor(analyst, undefined, REASON)).toBe('masked');
    expect(visibilityFor(analyst, 'full', REASON)).toBe('full');
    try {
      visibilityFor(analyst, 'full');
      throw new Error('not refused');
    } catch (err) {
      expect(err).toBeInstanceOf(ForbiddenException);
      expect((err as ForbiddenException).getResponse()).toEqual({
        statusCode: 403,
        code: 'REASON_REQUIRED',
        message: 'an analyst must give a reason (8 to 500 characters) to unmask an identity',
      });
    }
  });

  it('shows auditors and admins the full view by default, with or without a reason, and the masked one on request', () => {
    for (const p of [auditor, admin]) {
      expect(visibilityFor(p)).toBe('full');
      expect(visibilityFor(p, 'full', REASON)).toBe('full');
      expect(visibilityFor(p, 'masked')).toBe('masked');
    }
  });

  it('refuses a reason outside 8 to 500 characters, whoever gives it', () => {
    for (const p of [analyst, admin]) {
      expect(() => visibilityFor(p, 'full', '7 chars')).toThrow(BadRequestException);
      expect(() => visibilityFor(p, 'full', 'x'.repeat(501))).toThrow(BadRequestException);
    }
    expect(visibilityFor(analyst, 'full', 'x'.repeat(8))).toBe('full');
    expect(visibilityFor(analyst, 'full', 'x'.repeat(500))).toBe('full');
  });

  it('validates ?reason= as 8 to 500 characters once trimmed', () => {
    expect(errorsOf(undefined)).toEqual([]);
    expect(errorsOf(REASON)).toEqual([]);
    expect(plainToInstance(Query, { reason: `  ${REASON}  ` }).reason).toBe(REASON);
    for (const bad of ['7 chars', ' '.repeat(20), '', 'x'.repeat(501), ['two', 'reasons']]) expect(errorsOf(bad)).toContain('reason must be 8 to 500 characters');
  });
});
