/**
 * Ongoing monitoring re-screens a subject whenever a list changes; analysts must only be alerted
 * to hits they have not seen. These compare list versions and two screenings of one subject.
 */
import type { ListVersion } from '../watchlist/watchlist-entry';
import { hitKey, type ScreeningHit, type ScreeningResult } from './screening-result';

export interface ListChange {
  list: string;
  change: 'added' | 'updated' | 'removed';
  previousHash?: string;
  currentHash?: string;
}

/** Lists whose content differs between two loads (by content hash, not load time). */
export function changedLists(previous: readonly ListVersion[], current: readonly ListVersion[]): ListChange[] {
  const before = new Map(previous.map((version) => [version.list, version.contentHash]));
  const after = new Map(current.map((version) => [version.list, version.contentHash]));
  const changes: ListChange[] = [];
  for (const [list, currentHash] of after) {
    const previousHash = before.get(list);
    if (previousHash === undefined) changes.push({ list, change: 'added', currentHash });
    else if (previousHash !== currentHash) changes.push({ list, change: 'updated', previousHash, currentHash });
  }
  for (const [list, previousHash] of before) {
    if (!after.has(list)) changes.push({ list, change: 'removed', previousHash });
  }
  return changes;
}

export interface ScreeningComparison {
  /** Hits whose list + entity was not among the previous hits: these raise alerts. */
  newHits: ScreeningHit[];
  /** Hits present before and now. */
  continuingHits: ScreeningHit[];
  /** Previous hits no longer reported (delisted, or the entry changed). */
  droppedHits: ScreeningHit[];
  listChanges: ListChange[];
}

/** `previous` may be absent for a subject screened for the first time: every hit is then new. */
export function compareScreenings(
  previous: Pick<ScreeningResult, 'hits' | 'listVersions'> | undefined,
  current: Pick<ScreeningResult, 'hits' | 'listVersions'>,
): ScreeningComparison {
  const before = new Set((previous?.hits ?? []).map(hitKey));
  const now = new Set(current.hits.map(hitKey));
  return {
    newHits: current.hits.filter((hit) => !before.has(hitKey(hit))),
    continuingHits: current.hits.filter((hit) => before.has(hitKey(hit))),
    droppedHits: (previous?.hits ?? []).filter((hit) => !now.has(hitKey(hit))),
    listChanges: changedLists(previous?.listVersions ?? [], current.listVersions),
  };
}
