import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireRole, visibilityFor, type Principal } from '@compliance/platform';
import { VerificationQueryService } from './verification-query.service';
import { SubjectVerificationsPage, SubjectVerificationsQuery, VerificationQuery, VerificationView } from './verifications.dto';

@ApiTags('verifications')
@Controller()
export class VerificationsController {
  constructor(private readonly query: VerificationQueryService) {}

  @Get('verifications/:sessionId')
  @RequireRole('analyst')
  @ApiOperation({
    summary:
      'A verification session: current state, decision summary, identity (per role; an analyst unmasks it with identity=full and a reason) and every report received; an unmasked identity is recorded as kyc.identity.accessed, with the reason',
  })
  @ApiParam({ name: 'sessionId', description: "the provider's session id" })
  @ApiOkResponse({ type: VerificationView })
  @ApiBadRequestResponse({ description: 'bad identity or reason (8 to 500 characters)' })
  @ApiNotFoundResponse({ description: 'no session with this id' })
  @ApiForbiddenResponse({ description: 'identity=full with an analyst key and no reason (REASON_REQUIRED)' })
  @ApiConflictResponse({ description: 'DATA_KEY_MISSING: the identity is sealed under a data key the keyring lacks (a lost keyring row); see docs/privacy.md' })
  verification(@Param('sessionId') sessionId: string, @Query() q: VerificationQuery, @CurrentPrincipal() principal: Principal): Promise<VerificationView> {
    return this.query.verification(sessionId, visibilityFor(principal, q.identity, q.reason), principal, q.reason);
  }

  @Get('subjects/:subjectRef/verifications')
  @RequireRole('analyst')
  @ApiOperation({ summary: "A subject's verification sessions, newest first, with cursor pagination" })
  @ApiParam({ name: 'subjectRef', description: "the customer's reference for the person (Didit vendor_data)" })
  @ApiOkResponse({ type: SubjectVerificationsPage })
  @ApiNotFoundResponse({ description: 'no verification for this subject' })
  @ApiBadRequestResponse({ description: 'bad limit or cursor' })
  subjectVerifications(@Param('subjectRef') subjectRef: string, @Query() q: SubjectVerificationsQuery): Promise<SubjectVerificationsPage> {
    return this.query.subjectVerifications(subjectRef, q.limit, q.cursor);
  }
}
