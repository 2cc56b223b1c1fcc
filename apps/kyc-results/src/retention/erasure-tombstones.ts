import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { insertTombstones, PiiCipher, tombstonesAmong, type TombstoneKind } from '@compliance/persistence';
import type { Queryable } from '../verifications/sql-rows';

/** The subjects and sessions reports of a batch name. */
export interface ErasureKeys {
  subjects: Iterable<string>;
  sessions: Iterable<string>;
}

/** Which subjects and sessions were erased, and when: what recording a late report needs to know. */
export class ErasedKeys {
  static readonly NONE = new ErasedKeys();

  constructor(
    private readonly sessions: ReadonlyMap<string, Date> = new Map(),
    private readonly subjects: ReadonlyMap<string, Date> = new Map(),
  ) {}

  session(sessionId: string): Date | undefined {
    return this.sessions.get(sessionId);
  }

  subject(subjectRef: string | null | undefined): Date | undefined {
    return subjectRef ? this.subjects.get(subjectRef) : undefined;
  }

  with(other: ErasedKeys): ErasedKeys {
    return new ErasedKeys(new Map([...this.sessions, ...other.sessions]), new Map([...this.subjects, ...other.subjects]));
  }
}

/** The digests to look up for some subjects and sessions, and how to read the answer. */
export class TombstoneLookup {
  constructor(private readonly byDigest: ReadonlyMap<string, { kind: TombstoneKind; value: string }>) {}

  get digests(): string[] {
    return [...this.byDigest.keys()];
  }

  /** What the tombstones found (digest → erased at) say about the keys looked up. */
  resolve(found: ReadonlyMap<string, Date>): ErasedKeys {
    const sessions = new Map<string, Date>();
    const subjects = new Map<string, Date>();
    for (const [digest, at] of found) {
      const key = this.byDigest.get(digest);
      if (key) (key.kind === 'session' ? sessions : subjects).set(key.value, at);
    }
    return new ErasedKeys(sessions, subjects);
  }
}

/**
 * Remembers erased subjects and sessions as keyed digests (no personal data), so a webhook about one
 * of them that arrives after the erasure is recorded without the person. Digests are looked up under
 * every configured PII key: tombstones survive a key rotation while the old key stays listed.
 */
@Injectable()
export class ErasureTombstones {
  constructor(private readonly cipher: PiiCipher) {}

  /** Tombstones for the subject and the sessions, in the erasure's transaction. Returns how many are new. */
  record(m: EntityManager, requestId: string, subjectRef: string, sessionIds: string[]): Promise<number> {
    const rows = [
      { digest: this.cipher.digest(keyOf('subject', subjectRef)), kind: 'subject' as const, requestId },
      ...[...new Set(sessionIds)].map((id) => ({ digest: this.cipher.digest(keyOf('session', id)), kind: 'session' as const, requestId })),
    ];
    return insertTombstones(m, rows);
  }

  /** The digests standing for these subjects and sessions, for a read that looks them up with others (the batch's lock). */
  lookup(keys: ErasureKeys): TombstoneLookup {
    const byDigest = new Map<string, { kind: TombstoneKind; value: string }>();
    for (const [kind, values] of [['subject', keys.subjects], ['session', keys.sessions]] as const) {
      for (const value of new Set(values)) for (const digest of this.cipher.digests(keyOf(kind, value))) byDigest.set(digest, { kind, value });
    }
    return new TombstoneLookup(byDigest);
  }

  /** Which of these subjects and sessions were erased (one statement). */
  async erasedAmong(q: Queryable, keys: ErasureKeys): Promise<ErasedKeys> {
    const lookup = this.lookup(keys);
    return lookup.resolve(await tombstonesAmong(q, lookup.digests));
  }
}

const keyOf = (kind: TombstoneKind, value: string) => `${kind}:${value}`;
