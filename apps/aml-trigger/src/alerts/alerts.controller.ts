import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireRole, type Principal } from '@compliance/platform';
import { AlertQueuePage, AlertQueueQuery, ReviewAlertDto, type AlertView } from './alerts.dto';
import { AlertsService } from './alerts.service';

@ApiTags('alerts')
@Controller('alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  @Get()
  @RequireRole('analyst')
  @ApiOperation({
    summary:
      'The alert queue, newest first, a page at a time: status open (default), false_positive_proposed, closed (false_positive or confirmed) or all; optionally one kind; with the open alerts by kind and the number matching',
  })
  @ApiOkResponse({ type: AlertQueuePage })
  @ApiBadRequestResponse({ description: 'bad status, kind, limit or cursor' })
  queue(@Query() q: AlertQueueQuery): Promise<AlertQueuePage> {
    return this.alerts.queue(q);
  }

  @Get(':id')
  @RequireRole('analyst')
  @ApiOperation({ summary: 'An alert with the hits, scores and list versions behind it' })
  find(@Param('id', new ParseUUIDPipe()) id: string): Promise<AlertView> {
    return this.alerts.find(id);
  }

  @Post(':id/review')
  @HttpCode(200)
  @RequireRole('analyst')
  @ApiOperation({
    summary:
      'Close an alert as a false positive (suppresses its entities for the subject) or a confirmed match. A false positive on an aml_match needs a note and a second, different reviewer (auditor or admin): the first call proposes (status false_positive_proposed), the second makes it take effect',
  })
  review(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: ReviewAlertDto, @CurrentPrincipal() principal: Principal): Promise<AlertView> {
    return this.alerts.review(id, body.decision, principal, body.note);
  }
}
