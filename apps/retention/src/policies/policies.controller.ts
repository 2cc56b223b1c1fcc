import { Body, Controller, Get, NotFoundException, Param, Put } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { DATA_CATEGORIES } from '@compliance/contracts';
import { OutboxRelay } from '@compliance/messaging';
import { CurrentPrincipal, RequireRole, type Principal } from '@compliance/platform';
import { UpdatePolicyDto, type PolicyView } from './policies.dto';
import { isDataCategory, PoliciesService } from './policies.service';
import { TopicRetentionService } from './topic-retention.service';

@ApiTags('policies')
@Controller('policies')
export class PoliciesController {
  constructor(
    private readonly policies: PoliciesService,
    private readonly topics: TopicRetentionService,
    private readonly logger: PinoLogger,
    private readonly relay: OutboxRelay,
  ) {}

  @Get()
  @RequireRole('analyst')
  @ApiOkResponse({ description: 'the retention policy of every data category' })
  list(): Promise<PolicyView[]> {
    return this.policies.list();
  }

  @Put(':category')
  @RequireRole('admin')
  @ApiOkResponse({ description: 'the policy in force; a change emits retention.policy.changed' })
  @ApiBadRequestResponse({ description: 'retentionDays outside 30..3650 and not null' })
  @ApiNotFoundResponse({ description: 'unknown data category' })
  async update(
    @Param('category') category: string,
    @Body() body: UpdatePolicyDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<PolicyView & { kafkaRetentionMs?: string }> {
    if (!isDataCategory(category)) {
      throw new NotFoundException({ statusCode: 404, code: 'UNKNOWN_CATEGORY', message: `unknown data category "${category}"; one of ${DATA_CATEGORIES.join(', ')}` });
    }
    const { policy, changed } = await this.policies.update(category, body.retentionDays, principal.name);
    if (changed) this.relay.kick();
    if (category !== 'raw_webhooks') return policy;
    try {
      return { ...policy, kafkaRetentionMs: await this.topics.ensureApplied() };
    } catch (err) {
      // The policy is committed; the sweep applies it to Kafka once the admin API answers again.
      this.logger.warn({ err: (err as Error).message }, 'topic retention not applied yet, the sweep will retry');
      return policy;
    }
  }
}
