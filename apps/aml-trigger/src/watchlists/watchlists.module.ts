import { Module, type OnModuleInit } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { ReadinessRegistry } from '@compliance/observability';
import { AmlTriggerConfig } from '../aml-trigger.config';
import { WatchlistPoller } from './watchlist-poller.service';
import { WatchlistRegistry } from './watchlist-registry.service';
import { WatchlistsController } from './watchlists.controller';

@Module({ controllers: [WatchlistsController], providers: [WatchlistRegistry, WatchlistPoller], exports: [WatchlistRegistry] })
export class WatchlistsModule implements OnModuleInit {
  constructor(
    private readonly config: AmlTriggerConfig,
    private readonly registry: WatchlistRegistry,
    private readonly poller: WatchlistPoller,
    private readonly readiness: ReadinessRegistry,
    private readonly logger: PinoLogger,
  ) {}

  /** Lists load before consumers start (bootstrap), so the first approval is screened against them. */
  async onModuleInit(): Promise<void> {
    if (this.config.AML_PROVIDER !== 'builtin') return;
    const outcome = await this.registry.reload();
    const entries = outcome.versions.reduce((n, v) => n + v.entryCount, 0);
    this.logger.info({ lists: outcome.versions.map((v) => `${v.list}:${v.entryCount}`), problems: outcome.problems.length }, 'watchlists loaded');
    if (entries === 0) this.logger.warn({ dir: this.config.AML_LISTS_DIR }, 'no watchlist entries loaded: every screening will be clear');
    this.readiness.add('watchlists', async () => {
      const total = this.registry.current.versions.reduce((n, v) => n + v.entryCount, 0);
      return { up: total > 0, details: { entries: total, problems: this.registry.lastProblems.length } };
    });
    await this.poller.start();
  }
}
