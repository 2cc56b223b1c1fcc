/**
 * Query-token-by-entry-token similarities for one screening. Candidate names share most of their
 * tokens (common given names, the query's own surname), so most comparisons are repeats.
 */
import type { NameToken, PreparedName } from './prepared-name';
import { tokenSimilarity } from './token-similarity';

export class TokenSimilarityCache {
  private readonly byQueryToken: Map<string, number>[];

  constructor(private readonly query: PreparedName) {
    this.byQueryToken = query.tokens.map(() => new Map<string, number>());
  }

  similarity(queryIndex: number, entryToken: NameToken): number {
    const known = this.byQueryToken[queryIndex].get(entryToken.text);
    if (known !== undefined) return known;
    const similarity = tokenSimilarity(this.query.tokens[queryIndex], entryToken);
    this.byQueryToken[queryIndex].set(entryToken.text, similarity);
    return similarity;
  }
}
