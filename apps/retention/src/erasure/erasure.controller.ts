import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireRole, type Principal } from '@compliance/platform';
import { OutboxRelay } from '@compliance/messaging';
import { ProviderDeletionService } from '../provider/provider-deletion.service';
import { CreateErasureRequestDto, type ErasureReceipt } from './erasure.dto';
import { ErasureReportQuery } from './erasure-report.query';
import { ErasureService } from './erasure.service';

@ApiTags('erasure')
@Controller('erasure-requests')
export class ErasureController {
  constructor(
    private readonly erasure: ErasureService,
    private readonly reports: ErasureReportQuery,
    private readonly provider: ProviderDeletionService,
    private readonly relay: OutboxRelay,
  ) {}

  @Post()
  @HttpCode(202)
  @RequireRole('admin')
  @ApiAcceptedResponse({ description: 'accepted; a repeat while a request for the subject is open returns that request (repeated: true)' })
  async create(@Body() body: CreateErasureRequestDto, @CurrentPrincipal() principal: Principal): Promise<ErasureReceipt> {
    const receipt = await this.erasure.create(body.subjectRef, body.reason, principal.name);
    this.relay.kick();
    this.provider.kick();
    return receipt;
  }

  @Get(':id')
  @RequireRole('analyst')
  @ApiOkResponse({ description: 'status, per-service confirmations and provider deletion outcome per session' })
  @ApiNotFoundResponse({ description: 'no such request' })
  report(@Param('id') id: string) {
    return this.reports.report(id);
  }

  @Delete(':id')
  @RequireRole('admin')
  @ApiOkResponse({ description: 'withdrawn: the request was waiting for a legal hold and will not be carried out' })
  @ApiConflictResponse({ description: 'the request was already sent to the services (or finished)' })
  async withdraw(@Param('id') id: string): Promise<ErasureReceipt> {
    const receipt = await this.erasure.withdraw(id);
    this.relay.kick();
    return receipt;
  }
}
