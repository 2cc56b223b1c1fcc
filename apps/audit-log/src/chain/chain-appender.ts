import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { DataSource, EntityManager, EntitySubscriberInterface } from 'typeorm';
import { CheckpointService } from '../checkpoints/checkpoint.service';
import type { ChainedEntry, NewEntry } from './audit-entry';
import { auditMetrics } from './audit.metrics';
import { canonicalData, dataHashOf, entryHashOf, isoMillis, type EntryHeader } from './chain-hash';
import { chainedEventIds, insertSealed, lockChainHead, type ChainHead, type SealedEntry } from './chain.repository';

/** An entry with everything that does not depend on its place in the chain computed: its data part. */
interface Prepared {
  entry: NewEntry;
  occurredAt: string;
  salt: string;
  canonical: string;
  dataHash: string;
  /** The caller looked for the event id in the chain within this transaction already. */
  checked: boolean;
}

interface TransactionState {
  head?: ChainHead;
  pending: Prepared[];
}

/**
 * Appends entries to the hash chain as part of the caller's transaction. Entries are queued and
 * written when the transaction commits (or at `flush`), all in one statement: a consumer transaction
 * pays one duplicate check, one head lock and one insert, and holds the lock only while it seals
 * headers, writes and commits (duplicates are looked for and data hashed before the lock).
 */
@Injectable()
export class ChainAppender {
  private readonly transactions = new WeakMap<EntityManager, TransactionState>();

  constructor(private readonly checkpoints: CheckpointService) {}

  /** Queues an entry; it is chained when the transaction commits, or earlier by `flush`. */
  append(manager: EntityManager, entry: NewEntry): void {
    this.appendAll(manager, [entry]);
  }

  /**
   * Queues entries in order (one salt draw for all of them); they are chained as `append` says.
   * `checked`: the caller found none of their event ids in the chain, in this transaction (see
   * `notChained`), so the flush does not look again.
   */
  appendAll(manager: EntityManager, entries: NewEntry[], opts: { checked?: boolean } = {}): void {
    if (!manager.queryRunner?.isTransactionActive) throw new Error('the audit chain is only written inside a transaction');
    if (entries.length === 0) return;
    this.hookCommits(manager.connection);
    const state = this.transactions.get(manager) ?? { pending: [] };
    // 16 random bytes per entry: the salt makes data_hash hiding (docs/audit-log.md).
    const salts = randomBytes(16 * entries.length).toString('hex');
    entries.forEach((entry, i) => {
      const salt = salts.slice(32 * i, 32 * i + 32);
      const canonical = canonicalData(entry.data);
      state.pending.push({ entry, occurredAt: isoMillis(entry.occurredAt), salt, canonical, dataHash: dataHashOf(salt, canonical), checked: opts.checked === true });
    });
    this.transactions.set(manager, state);
  }

  /**
   * Writes the queued entries now (before reading the chain in the same transaction). Returns
   * them as chained; an event id already in the chain is skipped.
   */
  async flush(manager: EntityManager): Promise<ChainedEntry[]> {
    const state = this.transactions.get(manager);
    if (!state || state.pending.length === 0) return [];
    const queued = state.pending.splice(0);
    // Duplicates are looked for before the head is locked, to keep that lock short: an id chained
    // meanwhile by another transaction (the same event applied twice at once, which the inbox
    // prevents) is refused by the unique index on event_id.
    const unchecked = queued.filter((p) => !p.checked).map((p) => p.entry.eventId);
    const chained = unchecked.length > 0 ? await chainedEventIds(manager, unchecked) : new Set<string>();
    // Drops entries whose event id is already chained or queued twice.
    const fresh = queued.filter((p) => !chained.has(p.entry.eventId) && chained.add(p.entry.eventId));
    if (fresh.length === 0) return [];
    state.head ??= await lockChainHead(manager);
    const from = state.head.sequence;
    const sealed = sealAll(state.head, fresh);
    // Under the lock: an erasure chained before these entries has committed what it reached, and the
    // insert chains those of its subjects and sessions redacted.
    const redacted = await insertSealed(manager, sealed);
    for (const s of sealed) {
      auditMetrics.appended.inc({ type: s.entry.type });
      const by = redacted.get(s.entry.sequence);
      if (by) s.entry.redactedBy = by;
    }
    if (redacted.size > 0) auditMetrics.redacted.inc({ trigger: 'erasure' }, redacted.size);
    auditMetrics.head.set(state.head.sequence);
    await this.checkpoints.afterAppend(manager, from, state.head);
    return sealed.map((s) => s.entry);
  }

  /**
   * Those of `events` whose ids the chain does not hold yet, each id once: what a consumer records
   * (its group keeps no inbox; the unique event id in the chain is its dedupe). Their entries may be
   * queued with `checked`. An id chained meanwhile by another transaction (the same event applied by
   * two consumers at once during a rebalance) is refused by the unique index and the fetch replayed.
   */
  async notChained<T extends { id: string }>(manager: EntityManager, events: T[]): Promise<T[]> {
    if (events.length === 0) return [];
    const chained = await chainedEventIds(manager, events.map((e) => e.id));
    return events.filter((e) => !chained.has(e.id) && chained.add(e.id));
  }

  /**
   * TypeORM's commit hook: whatever a transaction queued is chained before its COMMIT, or the
   * commit fails. Checked on every append, since initialising a DataSource replaces its subscribers.
   */
  private hookCommits(ds: DataSource): void {
    if (!ds.subscribers.includes(this.commitHook)) ds.subscribers.push(this.commitHook);
  }

  private readonly commitHook: EntitySubscriberInterface = {
    beforeTransactionCommit: async ({ manager }) => {
      await this.flush(manager);
    },
    afterTransactionCommit: ({ manager }) => {
      this.transactions.delete(manager);
    },
    afterTransactionRollback: ({ manager }) => {
      this.transactions.delete(manager);
    },
  };
}

/**
 * Seals entries in order from the head, advancing it: sequence, recorded time, hash. An entry chained
 * redacted is hashed like any other: its data_hash commits to the data it is written without.
 */
function sealAll(head: ChainHead, entries: Prepared[]): SealedEntry[] {
  const recordedAt = isoMillis(new Date());
  return entries.map(({ entry, occurredAt, salt, canonical, dataHash }) => {
    const header: EntryHeader = {
      sequence: head.sequence + 1,
      eventId: entry.eventId,
      type: entry.type,
      source: entry.source,
      subjectRef: entry.subjectRef ?? null,
      sessionId: entry.sessionId ?? null,
      occurredAt,
      recordedAt,
      ...(entry.traceId ? { traceId: entry.traceId } : {}),
    };
    const hash = entryHashOf(head.hash, header, dataHash);
    const sealed = { entry: { ...header, dataHash, prevHash: head.hash, hash }, salt, canonical };
    head.sequence = header.sequence;
    head.hash = hash;
    return sealed;
  });
}
