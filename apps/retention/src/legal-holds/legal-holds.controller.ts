import { Body, Controller, Delete, Get, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireRole, type Principal } from '@compliance/platform';
import { OutboxRelay } from '@compliance/messaging';
import { Clock } from '../clock/clock';
import { ErasureService } from '../erasure/erasure.service';
import { ProviderDeletionService } from '../provider/provider-deletion.service';
import { PlaceLegalHoldDto, type LegalHoldView } from './legal-holds.dto';
import { LegalHoldsService } from './legal-holds.service';

@ApiTags('legal-holds')
@Controller('legal-holds')
export class LegalHoldsController {
  constructor(
    private readonly holds: LegalHoldsService,
    private readonly erasure: ErasureService,
    private readonly provider: ProviderDeletionService,
    private readonly relay: OutboxRelay,
    private readonly clock: Clock,
  ) {}

  @Post()
  @RequireRole('admin')
  @ApiCreatedResponse({ description: "the hold; from now on the subject's data is neither purged nor erased" })
  async place(@Body() body: PlaceLegalHoldDto, @CurrentPrincipal() principal: Principal): Promise<LegalHoldView & { warning?: string }> {
    const { hold, erasureAlreadyDispatched } = await this.holds.place(body, principal.name);
    if (!erasureAlreadyDispatched) return hold;
    return { ...hold, warning: `erasure request ${erasureAlreadyDispatched} for this subject was already sent to the services before the hold` };
  }

  @Get(':id')
  @RequireRole('analyst')
  @ApiOkResponse({ description: 'the hold and whether it is in force' })
  @ApiNotFoundResponse({ description: 'no such hold' })
  get(@Param('id') id: string): Promise<LegalHoldView> {
    return this.holds.get(id);
  }

  /** Lifting carries out, at once, the erasure requests the hold was blocking (unless another hold remains). */
  @Delete(':id')
  @RequireRole('admin')
  @ApiOkResponse({ description: 'the lifted hold and the erasure requests it released' })
  @ApiNotFoundResponse({ description: 'no such hold' })
  async lift(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<LegalHoldView & { releasedErasureRequests: string[] }> {
    const hold = await this.holds.lift(id, principal.name);
    const released = await this.erasure.releaseBlocked(this.clock.now(), hold.subjectRef);
    if (released.length) {
      this.relay.kick();
      this.provider.kick();
    }
    return { ...hold, releasedErasureRequests: released };
  }
}
