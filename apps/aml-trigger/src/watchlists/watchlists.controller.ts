import { ConflictException, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireRole } from '@compliance/platform';
import { AmlTriggerConfig } from '../aml-trigger.config';
import { WatchlistRegistry } from './watchlist-registry.service';

@ApiTags('lists')
@Controller('lists')
export class WatchlistsController {
  constructor(
    private readonly registry: WatchlistRegistry,
    private readonly config: AmlTriggerConfig,
  ) {}

  @Get()
  @RequireRole('analyst')
  @ApiOperation({ summary: 'Loaded watchlist versions (content hash, load time, entries) and load problems' })
  lists() {
    if (this.config.AML_PROVIDER !== 'builtin' || !this.registry.loaded) {
      return { provider: this.config.AML_PROVIDER, lists: [], problems: this.registry.lastProblems };
    }
    const { versions, listSet, loadedAt } = this.registry.current;
    return { provider: 'builtin', listSet, loadedAt, lists: versions, problems: this.registry.lastProblems };
  }

  @Post('reload')
  @HttpCode(200)
  @RequireRole('admin')
  @ApiOperation({ summary: 'Reload the lists now; when their content changed, monitored subjects are re-screened' })
  async reload() {
    if (this.config.AML_PROVIDER !== 'builtin') {
      throw new ConflictException({ statusCode: 409, code: 'LISTS_MANAGED_BY_PROVIDER', message: `lists are managed by the ${this.config.AML_PROVIDER} provider` });
    }
    const outcome = await this.registry.reload();
    return { changed: outcome.changed, rejected: outcome.rejected, lists: outcome.versions, problems: outcome.problems };
  }
}
