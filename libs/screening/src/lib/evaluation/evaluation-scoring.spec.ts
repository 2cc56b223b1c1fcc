import { Screener } from '../screening/screener';
import type { WatchlistEntry } from '../watchlist/watchlist-entry';
import { WatchlistIndex } from '../watchlist/watchlist-index';
import { judgeCase, precisionOf, tallyEvaluation } from './evaluation-scoring';
import type { EvaluationCase } from './evaluation-set';

const person = (entityId: string, name: string, birthDates: string[] = [], countries: string[] = []): WatchlistEntry => ({
  list: 'test', entityId, names: [name], schema: 'Person', birthDates, countries, identifiers: [], datasets: ['d'],
});

describe('judgeCase', () => {
  const entries = [
    person('first', 'Viktor Andreyevich Kolesnikov', ['1961-03-02'], ['ru']),
    person('second', 'Viktor Andreyevich Kolesnikov', ['1975-11-20'], ['ru']),
    person('third', 'Viktor Andreyevich Kolesnikov'),
    person('other', 'Mariam Al-Qudsi', ['1980'], ['jo']),
  ];
  const screener = new Screener(WatchlistIndex.build(entries));
  const judge = (c: EvaluationCase) => judgeCase(c, screener.screen(c.query));
  const expected = (entityId: string) => ({ list: 'test', entityId });

  it('counts a tie among identically named entries as correct when the query cannot tell them apart', () => {
    const c: EvaluationCase = { query: { fullName: 'Viktor Andreyevich Kolesnikov' }, expected: expected('second'), perturbations: ['typo'] };
    const result = screener.screen(c.query);
    expect(result.hits.slice(0, 3).map((hit) => hit.score)).toEqual([1, 1, 1]);
    expect(result.hits[0].entityId).not.toBe('second');
    expect(judge(c)).toEqual({ flagged: true, found: true, correct: true, byTie: true });
  });

  it('does not count a tie the date of birth should have broken', () => {
    // The query's birth date is the second entry's: +0.08 is clamped to a score of 1, the score
    // of the undated third entry, so the two tie on score though the date tells them apart.
    const c: EvaluationCase = { query: { fullName: 'Viktor Andreyevich Kolesnikov', dateOfBirth: '1975-11-20' }, expected: expected('second'), perturbations: ['typo'] };
    const result = screener.screen(c.query);
    const second = result.hits.find((hit) => hit.entityId === 'second');
    const third = result.hits.find((hit) => hit.entityId === 'third');
    if (!second || !third) throw new Error('both namesakes should be hits');
    expect([second.score, third.score, second.breakdown.dob, third.breakdown.dob]).toEqual([1, 1, 0.08, 0]);
    // Whatever order the screener gives them, the undated namesake ranked first is not correct.
    expect(judgeCase(c, { ...result, hits: [third, second] })).toEqual({ flagged: true, found: true, correct: false, byTie: false });
    expect(judgeCase(c, { ...result, hits: [second, third] })).toEqual({ flagged: true, found: true, correct: true, byTie: false });
  });

  it('counts the expected entity as the top hit, and a flagged invented name as a false positive', () => {
    const listed: EvaluationCase = { query: { fullName: 'Mariam al Qudsi', dateOfBirth: '1980' }, expected: expected('other'), perturbations: ['swapTokens'] };
    const invented: EvaluationCase = { query: { fullName: 'Viktor Andreyevich Kolesnikov' }, perturbations: [] };
    expect(judge(listed)).toEqual({ flagged: true, found: true, correct: true, byTie: false });
    const cases = [listed, invented];
    const tally = tallyEvaluation(cases, cases.map((c) => screener.screen(c.query)));
    expect(tally).toMatchObject({ flagged: 2, flaggedCorrectly: 1, invented: 1, inventedFlagged: 1, listed: 1, found: 1 });
    expect(precisionOf(tally)).toBe(0.5);
  });
});
