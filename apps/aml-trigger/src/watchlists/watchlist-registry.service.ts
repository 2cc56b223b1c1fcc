import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Gauge, register } from 'prom-client';
import { loadWatchlists, Screener, type ListVersion, type LoadProblem, type ScreeningResult, type ScreeningQuery, type WatchlistEntry, type WatchlistIndex } from '@compliance/screening';
import { AmlTriggerConfig } from '../aml-trigger.config';

export interface LoadedLists {
  screener: Screener;
  /** The entries the screener searches, for showing one to a reviewer. */
  index: WatchlistIndex;
  versions: ListVersion[];
  problems: LoadProblem[];
  /** Hash of every list's content hash: the "list version set" a screening is idempotent on. */
  listSet: string;
  loadedAt: string;
}

export interface ReloadOutcome {
  changed: boolean;
  /** Why a new load was refused and the previous lists kept. */
  rejected?: string;
  versions: ListVersion[];
  problems: LoadProblem[];
}

const entriesGauge =
  (register.getSingleMetric('aml_watchlist_entries') as Gauge | undefined) ??
  new Gauge({ name: 'aml_watchlist_entries', help: 'Entries loaded per watchlist', labelNames: ['list'] });

export function listSetOf(versions: readonly Pick<ListVersion, 'list' | 'contentHash'>[]): string {
  const parts = versions.map((v) => `${v.list}:${v.contentHash}`).sort();
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 32);
}

/**
 * The watchlists in AML_LISTS_DIR and the screener over them. A reload swaps both at once, so a
 * screening always sees one consistent version set; listeners hear about real content changes only.
 */
@Injectable()
export class WatchlistRegistry {
  private lists?: LoadedLists;
  private loading?: Promise<ReloadOutcome>;
  private readonly listeners: Array<(lists: LoadedLists) => void> = [];
  /** Problems of the last load attempt, even a refused one (shown by GET /lists). */
  lastProblems: LoadProblem[] = [];

  constructor(private readonly config: AmlTriggerConfig) {}

  get current(): LoadedLists {
    if (!this.lists) throw new Error('watchlists are not loaded yet');
    return this.lists;
  }

  get loaded(): boolean {
    return this.lists !== undefined;
  }

  onChange(listener: (lists: LoadedLists) => void): void {
    this.listeners.push(listener);
  }

  screen(query: ScreeningQuery, suppressed: Iterable<string>): ScreeningResult {
    return this.current.screener.screen(query, { suppressedEntityIds: suppressed });
  }

  /** A loaded entry with the version of its list, as the screener saw it; undefined if not in the loaded lists. */
  entry(list: string, entityId: string): { entry: WatchlistEntry; listVersion: ListVersion | undefined } | undefined {
    const { index, versions } = this.current;
    const entry = index.findEntry(list, entityId);
    return entry && { entry, listVersion: versions.find((v) => v.list === list) };
  }

  /** Concurrent callers (poller and admin endpoint) share one load. */
  reload(): Promise<ReloadOutcome> {
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async load(): Promise<ReloadOutcome> {
    const { index, versions, problems } = await loadWatchlists(this.config.AML_LISTS_DIR);
    this.lastProblems = problems;
    const previous = this.lists;
    const entries = versions.reduce((n, v) => n + v.entryCount, 0);
    // A folder caught empty mid-copy must not silently turn every screening "clear".
    if (previous && entries === 0) {
      return { changed: false, rejected: 'the new load has no entries; the previous lists stay in use', versions: previous.versions, problems };
    }
    const listSet = listSetOf(versions);
    if (previous && previous.listSet === listSet) {
      previous.problems = problems;
      return { changed: false, versions: previous.versions, problems };
    }
    const thresholds = { review: this.config.AML_REVIEW_THRESHOLD, match: this.config.AML_MATCH_THRESHOLD };
    this.lists = { screener: new Screener(index, { thresholds }), index, versions, problems, listSet, loadedAt: new Date().toISOString() };
    entriesGauge.reset();
    for (const v of versions) entriesGauge.set({ list: v.list }, v.entryCount);
    if (previous) for (const listener of this.listeners) listener(this.lists);
    return { changed: true, versions, problems };
  }
}
