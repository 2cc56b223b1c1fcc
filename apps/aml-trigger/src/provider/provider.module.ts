import { Module } from '@nestjs/common';
import { AmlTriggerConfig } from '../aml-trigger.config';
import { WatchlistRegistry } from '../watchlists/watchlist-registry.service';
import { WatchlistsModule } from '../watchlists/watchlists.module';
import { BuiltinScreeningProvider } from './builtin-screening.provider';
import { DiditScreeningProvider } from './didit/didit-screening.provider';
import { ScreeningProvider } from './screening-provider';

/** AML_PROVIDER picks who screens; the rest of the service only knows ScreeningProvider. */
export function createScreeningProvider(config: AmlTriggerConfig, registry: WatchlistRegistry): ScreeningProvider {
  if (config.AML_PROVIDER === 'didit') {
    return new DiditScreeningProvider({
      baseUrl: config.DIDIT_BASE_URL as string,
      apiKey: config.DIDIT_API_KEY as string,
      timeoutMs: config.DIDIT_TIMEOUT_MS,
      maxAttempts: config.DIDIT_MAX_ATTEMPTS,
      retryBaseMs: config.DIDIT_RETRY_BASE_MS,
    });
  }
  return new BuiltinScreeningProvider(registry);
}

@Module({
  imports: [WatchlistsModule],
  providers: [{ provide: ScreeningProvider, useFactory: createScreeningProvider, inject: [AmlTriggerConfig, WatchlistRegistry] }],
  exports: [ScreeningProvider, WatchlistsModule],
})
export class ProviderModule {}
