import { Injectable } from '@nestjs/common';
import type { DataSource, EntityManager, EntitySubscriberInterface } from 'typeorm';
import { CheckpointService } from '../checkpoints/checkpoint.service';
import type { ChainedEntry, NewEntry } from './audit-entry';
import { auditMetrics } from './audit.metrics';
import { canonicalData, dataHashOf, entryHashOf, isoMillis, newSalt, type EntryHeader } from './chain-hash';
import { lockChainHead, type ChainHead } from './chain-head';

// Chain rows, data rows and the head move together in one statement, however many entries.
const INSERT_SQL = `
WITH entry AS (
  INSERT INTO audit_entry (sequence, event_id, type, source, subject_ref, session_id, occurred_at, recorded_at, data_hash, prev_hash, hash)
  SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::timestamptz[],
                       $9::text[], $10::text[], $11::text[])
  RETURNING sequence),
data AS (INSERT INTO audit_entry_data (sequence, salt, data) SELECT * FROM unnest($1::bigint[], $12::text[], $13::text[])),
head AS (UPDATE audit_chain_head SET sequence = $14, hash = $15, updated_at = now() WHERE id = 1)
SELECT count(*)::int AS n FROM entry`;

interface Sealed {
  entry: ChainedEntry;
  salt: string;
  canonical: string;
}

interface TransactionState {
  head?: ChainHead;
  pending: NewEntry[];
}

/**
 * Appends entries to the hash chain as part of the caller's transaction. Entries are queued and
 * written when the transaction commits (or at `flush`), all in one statement: a consumer chunk
 * pays one head lock, one duplicate check and one insert, and holds the lock only while it writes.
 */
@Injectable()
export class ChainAppender {
  private readonly transactions = new WeakMap<EntityManager, TransactionState>();

  constructor(private readonly checkpoints: CheckpointService) {}

  /** Queues an entry; it is chained when the transaction commits, or earlier by `flush`. */
  append(manager: EntityManager, entry: NewEntry): void {
    if (!manager.queryRunner?.isTransactionActive) throw new Error('the audit chain is only written inside a transaction');
    this.hookCommits(manager.connection);
    const state = this.transactions.get(manager) ?? { pending: [] };
    state.pending.push(entry);
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
    state.head ??= await lockChainHead(manager);
    const fresh = await this.withoutChained(manager, queued);
    if (fresh.length === 0) return [];
    const from = state.head.sequence;
    const sealed = sealAll(state.head, fresh);
    await this.insert(manager, sealed);
    for (const s of sealed) auditMetrics.appended.inc({ type: s.entry.type });
    auditMetrics.head.set(state.head.sequence);
    await this.checkpoints.afterAppend(manager, from, state.head);
    return sealed.map((s) => s.entry);
  }

  /** Drops entries whose event id is already chained or queued twice (the unique index is the backstop). */
  private async withoutChained(manager: EntityManager, queued: NewEntry[]): Promise<NewEntry[]> {
    const rows: Array<{ event_id: string }> = await manager.query('SELECT event_id FROM audit_entry WHERE event_id = ANY($1::text[])', [
      queued.map((e) => e.eventId),
    ]);
    const seen = new Set(rows.map((r) => r.event_id));
    return queued.filter((e) => !seen.has(e.eventId) && seen.add(e.eventId));
  }

  private async insert(manager: EntityManager, sealed: Sealed[]): Promise<void> {
    const col = <K extends keyof ChainedEntry>(k: K) => sealed.map((s) => s.entry[k]);
    const last = sealed[sealed.length - 1].entry;
    await manager.query(INSERT_SQL, [
      col('sequence'), col('eventId'), col('type'), col('source'), col('subjectRef'), col('sessionId'), col('occurredAt'), col('recordedAt'),
      col('dataHash'), col('prevHash'), col('hash'), sealed.map((s) => s.salt), sealed.map((s) => s.canonical), last.sequence, last.hash,
    ]);
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

/** Seals entries in order from the head, advancing it: sequence, recorded time, data hash, hash. */
function sealAll(head: ChainHead, entries: NewEntry[]): Sealed[] {
  const recordedAt = isoMillis(new Date());
  return entries.map((entry) => {
    const header: EntryHeader = {
      sequence: head.sequence + 1,
      eventId: entry.eventId,
      type: entry.type,
      source: entry.source,
      subjectRef: entry.subjectRef ?? null,
      sessionId: entry.sessionId ?? null,
      occurredAt: isoMillis(entry.occurredAt),
      recordedAt,
    };
    const salt = newSalt();
    const canonical = canonicalData(entry.data);
    const dataHash = dataHashOf(salt, canonical);
    const hash = entryHashOf(head.hash, header, dataHash);
    const sealed = { entry: { ...header, dataHash, prevHash: head.hash, hash }, salt, canonical };
    head.sequence = header.sequence;
    head.hash = hash;
    return sealed;
  });
}
