import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { insertTombstones, PiiCipher, tombstonesAmong, type TombstoneKind } from '@compliance/persistence';

/** What an event names: the subject and the session it is about. */
export interface ErasureKeys {
  subjectRef?: string | null;
  sessionId?: string | null;
}

/**
 * Remembers erased subjects and sessions as keyed digests (no personal data) and answers whether an
 * event is about one of them. Digests are looked up under every configured PII key, so a key
 * rotation keeps them while the old key stays listed.
 */
@Injectable()
export class ErasureTombstones {
  constructor(private readonly cipher: PiiCipher) {}

  /** Tombstones for the subject and its sessions, in the erasure's transaction. Returns how many are new. */
  record(m: EntityManager, requestId: string, subjectRef: string, sessionIds: string[]): Promise<number> {
    const rows = [
      { digest: this.digestOf('subject', subjectRef), kind: 'subject' as const, requestId },
      ...[...new Set(sessionIds)].map((id) => ({ digest: this.digestOf('session', id), kind: 'session' as const, requestId })),
    ];
    return insertTombstones(m, rows);
  }

  /** The positions in `keys` whose subject or session was erased (one statement for all). */
  async erasedAmong(m: EntityManager, keys: ErasureKeys[]): Promise<Set<number>> {
    const perKey = keys.map((k) => [
      ...(k.subjectRef ? this.cipher.digests(`subject:${k.subjectRef}`) : []),
      ...(k.sessionId ? this.cipher.digests(`session:${k.sessionId}`) : []),
    ]);
    const found = await tombstonesAmong(m, perKey.flat());
    const erased = new Set<number>();
    perKey.forEach((digests, i) => digests.some((d) => found.has(d)) && erased.add(i));
    return erased;
  }

  private digestOf(kind: TombstoneKind, value: string): string {
    return this.cipher.digest(`${kind}:${value}`);
  }
}
