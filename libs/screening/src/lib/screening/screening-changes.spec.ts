import type { ListVersion } from '../watchlist/watchlist-entry';
import { changedLists, compareScreenings } from './screening-changes';
import type { ScreeningHit } from './screening-result';

const version = (list: string, contentHash: string): ListVersion => ({ list, contentHash, loadedAt: '2025-01-01T00:00:00Z', entryCount: 1, files: [] });
const hit = (list: string, entityId: string, score = 0.9): ScreeningHit => ({
  list,
  entityId,
  entityName: entityId,
  matchedName: entityId,
  schema: 'Person',
  datasets: [],
  score,
  breakdown: { name: score, dob: 0, country: 0, identifier: false },
});

describe('changedLists', () => {
  it('reports added, updated and removed lists by content hash, not by load time', () => {
    const before = [version('opensanctions', 'a'), version('ofac-sdn', 'b'), version('eu', 'c')];
    const after = [version('opensanctions', 'a'), version('ofac-sdn', 'B'), version('un', 'd')];
    expect(changedLists(before, after)).toEqual([
      { list: 'ofac-sdn', change: 'updated', previousHash: 'b', currentHash: 'B' },
      { list: 'un', change: 'added', currentHash: 'd' },
      { list: 'eu', change: 'removed', previousHash: 'c' },
    ]);
  });
});

describe('compareScreenings', () => {
  it('alerts only on hits whose list and entity were not hit before', () => {
    const previous = { hits: [hit('opensanctions', 'p1'), hit('ofac-sdn', '10')], listVersions: [version('ofac-sdn', 'b')] };
    const current = {
      hits: [hit('opensanctions', 'p1', 0.95), hit('ofac-sdn', '11'), hit('opensanctions', '10')],
      listVersions: [version('ofac-sdn', 'B')],
    };
    const comparison = compareScreenings(previous, current);
    expect(comparison.newHits.map((h) => `${h.list}/${h.entityId}`)).toEqual(['ofac-sdn/11', 'opensanctions/10']);
    expect(comparison.continuingHits.map((h) => h.entityId)).toEqual(['p1']);
    expect(comparison.droppedHits.map((h) => `${h.list}/${h.entityId}`)).toEqual(['ofac-sdn/10']);
    expect(comparison.listChanges.map((c) => c.change)).toEqual(['updated']);
  });

  it('treats every hit of a first screening as new', () => {
    const current = { hits: [hit('opensanctions', 'p1')], listVersions: [] };
    expect(compareScreenings(undefined, current).newHits).toHaveLength(1);
  });
});
