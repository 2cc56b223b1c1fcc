/**
 * The distinct tokens of a list, each prepared once (phonetic codes, skeleton, blocking keys)
 * however many names share it, with how many names it occurs in. Given names repeat thousands of
 * times on a real list, so this is most of what makes building the index fast.
 */
import { blockingKeys, type BlockingKey } from '../matching/blocking-keys';
import { prepareToken, type NameToken } from '../matching/prepared-name';

interface VocabularyEntry {
  token: NameToken;
  keys: BlockingKey[];
  /** Names the token occurs in. */
  frequency: number;
}

export class TokenVocabulary {
  private readonly entries = new Map<string, VocabularyEntry>();
  private nameCount = 0;

  /** Records one name's distinct tokens; returns the shared tokens and the name's blocking keys. */
  addName(texts: readonly string[]): { tokens: NameToken[]; keys: Set<string> } {
    this.nameCount += 1;
    const keys = new Set<string>();
    const tokens = texts.map((text) => this.intern(text).token);
    for (const text of new Set(texts)) {
      const entry = this.intern(text);
      entry.frequency += 1;
      for (const { key } of entry.keys) keys.add(key);
    }
    return { tokens, keys };
  }

  /** Inverse document frequency: a token in few names identifies more than one in thousands. */
  weight(text: string): number {
    return Math.log(1 + this.nameCount / Math.max(1, this.entries.get(text)?.frequency ?? 0));
  }

  /** Once every name is added, frequencies are final and the shared tokens get their weights. */
  assignWeights(): void {
    for (const [text, entry] of this.entries) entry.token.weight = this.weight(text);
  }

  /** A query token: the list's own prepared token if the list has it, else a new one. */
  queryToken(text: string): NameToken {
    const known = this.entries.get(text)?.token;
    if (known) return known;
    const token = prepareToken(text);
    token.weight = this.weight(text);
    return token;
  }

  /** Blocking keys of a query token, computed once for every token the list has. */
  keysOf(token: NameToken): BlockingKey[] {
    return this.entries.get(token.text)?.keys ?? blockingKeys(token);
  }

  private intern(text: string): VocabularyEntry {
    let entry = this.entries.get(text);
    if (!entry) {
      const token = prepareToken(text);
      entry = { token, keys: blockingKeys(token), frequency: 0 };
      this.entries.set(text, entry);
    }
    return entry;
  }
}
