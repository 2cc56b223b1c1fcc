import { BadRequestException, ConflictException, Controller, Get, HttpCode, NotFoundException, Param, Post, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireRole } from '@compliance/platform';
import { AmlTriggerConfig } from '../aml-trigger.config';
import { WatchlistRegistry } from './watchlist-registry.service';

/** A list name or entry id as the lists write them: printable, no control characters, bounded. */
const LIST_PART = /^[^\p{Cc}]{1,200}$/u;
const ENTITY_ID = LIST_PART;

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

  /**
   * One entry of a loaded list, as the list wrote it: what a reviewer compares with the screened
   * person. Public list data (the lists are published); the answer is the list version loaded now,
   * which may be newer than the one an older screening used.
   */
  @Get(':list/entries/:entityId')
  @RequireRole('analyst')
  @ApiOperation({ summary: 'A loaded list entry by its id: names (primary first, then aliases), birth dates, countries, identifiers, programmes, and the list version' })
  entry(@Param('list') list: string, @Param('entityId') entityId: string) {
    if (!LIST_PART.test(list) || !ENTITY_ID.test(entityId)) {
      throw new BadRequestException({ statusCode: 400, code: 'INVALID_ENTRY_ID', message: 'list and entry id must be 1-200 printable characters' });
    }
    if (this.config.AML_PROVIDER !== 'builtin') {
      throw new ConflictException({ statusCode: 409, code: 'LISTS_MANAGED_BY_PROVIDER', message: `lists are managed by the ${this.config.AML_PROVIDER} provider` });
    }
    if (!this.registry.loaded) throw new ServiceUnavailableException({ statusCode: 503, code: 'LISTS_NOT_LOADED', message: 'the watchlists are not loaded yet' });
    const found = this.registry.entry(list, entityId);
    if (!found) throw new NotFoundException({ statusCode: 404, code: 'LIST_ENTRY_NOT_FOUND', message: `no entry ${entityId} in the loaded ${list} list` });
    const { entry, listVersion } = found;
    return {
      ...entry,
      primaryName: entry.names[0],
      aliases: entry.names.slice(1),
      listVersion: listVersion && { contentHash: listVersion.contentHash, loadedAt: listVersion.loadedAt, entryCount: listVersion.entryCount },
    };
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
