import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ApiBadRequestResponse, ApiForbiddenResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireRole, visibilityFor, type Principal } from '@compliance/platform';
import { OutboxRelay } from '@compliance/messaging';
import { ScreeningQueries } from './screening-queries.service';
import { CreateScreeningDto, ScreeningIdentityQuery, type ScreeningView } from './screenings.dto';
import { ScreeningsService } from './screenings.service';
import { PendingScreeningWorker } from './pending-screening.worker';

/** The part of the HTTP response we touch (Express underneath). */
interface StatusResponse {
  status(code: number): { location(url: string): unknown };
}

@ApiTags('screenings')
@Controller()
export class ScreeningsController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
    private readonly screenings: ScreeningsService,
    private readonly queries: ScreeningQueries,
    private readonly worker: PendingScreeningWorker,
  ) {}

  @Post('screenings')
  @RequireRole('analyst')
  @ApiOperation({ summary: 'Screen a person now (201 with the result; 202 while a remote provider is asked)' })
  async create(@Body() body: CreateScreeningDto, @CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) res: StatusResponse): Promise<ScreeningView> {
    const { subjectRef, sessionId, ...identity } = body;
    const { screeningId } = await this.dataSource.transaction((m) =>
      this.screenings.request(m, { subjectRef, sessionId, trigger: 'adhoc', identity }),
    );
    this.relay.kick();
    // The caller typed this identity in; it is still shown per role (an analyst sees it masked).
    const view = await this.queries.byId(screeningId, { visibility: visibilityFor(principal), reader: principal, recordAccess: false });
    this.worker.kick();
    res.status(view.status === 'completed' || view.status === 'failed' ? 201 : 202).location(`/screenings/${screeningId}`);
    return view;
  }

  @Get('screenings/:id')
  @RequireRole('analyst')
  @ApiOperation({
    summary:
      'One screening: outcome, hits with score breakdown, list versions, algorithm; the input identity per role (an analyst unmasks it with identity=full and a reason; an unmasked one is recorded as aml.identity.accessed, with the reason)',
  })
  @ApiBadRequestResponse({ description: 'bad identity or reason (8 to 500 characters)' })
  @ApiForbiddenResponse({ description: 'identity=full with an analyst key and no reason (REASON_REQUIRED)' })
  find(@Param('id', new ParseUUIDPipe()) id: string, @Query() q: ScreeningIdentityQuery, @CurrentPrincipal() principal: Principal): Promise<ScreeningView> {
    return this.queries.byId(id, { visibility: visibilityFor(principal, q.identity, q.reason), reader: principal, reason: q.reason });
  }

  @Get('subjects/:subjectRef/screenings')
  @RequireRole('analyst')
  @ApiOperation({ summary: 'Every screening of a subject, newest first, ours and the provider’s; input identities per role (and reason) as for one screening' })
  @ApiBadRequestResponse({ description: 'bad identity or reason (8 to 500 characters)' })
  @ApiForbiddenResponse({ description: 'identity=full with an analyst key and no reason (REASON_REQUIRED)' })
  ofSubject(@Param('subjectRef') subjectRef: string, @Query() q: ScreeningIdentityQuery, @CurrentPrincipal() principal: Principal) {
    return this.queries.ofSubject(subjectRef, { visibility: visibilityFor(principal, q.identity, q.reason), reader: principal, reason: q.reason });
  }
}
