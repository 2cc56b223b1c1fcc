import { Injectable } from '@nestjs/common';
import type { ScreeningHit } from '@compliance/screening';
import type { ScreeningHitRecord, ScreeningVerdict } from '../screenings/screening.types';
import { WatchlistRegistry } from '../watchlists/watchlist-registry.service';
import { ScreeningProvider, type ProviderScreenRequest } from './screening-provider';

/** The built-in screener over the lists in AML_LISTS_DIR (libs/screening). */
@Injectable()
export class BuiltinScreeningProvider extends ScreeningProvider {
  readonly name = 'builtin' as const;
  readonly inline = true;

  constructor(private readonly registry: WatchlistRegistry) {
    super();
  }

  listSetKey(): string {
    return this.registry.current.listSet;
  }

  async screen({ identity, suppressedHitKeys }: ProviderScreenRequest): Promise<ScreeningVerdict> {
    const result = this.registry.screen(identity, suppressedHitKeys);
    return {
      outcome: result.outcome,
      score: result.score,
      hits: result.hits.map(toHitRecord),
      listVersions: result.listVersions.map(({ list, contentHash, loadedAt, entryCount }) => ({ list, contentHash, loadedAt, entryCount })),
      algorithm: result.algorithm,
      thresholds: result.thresholds,
    };
  }
}

function toHitRecord(hit: ScreeningHit): ScreeningHitRecord {
  return {
    list: hit.list,
    entityId: hit.entityId,
    matchedName: hit.matchedName,
    entityName: hit.entityName,
    score: hit.score,
    breakdown: { ...hit.breakdown },
    datasets: hit.datasets,
    schema: hit.schema,
  };
}
