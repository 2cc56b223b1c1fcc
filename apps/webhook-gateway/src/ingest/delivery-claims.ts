import type { DataSource } from 'typeorm';
import { insertClaims } from './delivery.repository';
import type { InboundWebhook } from './inbound-webhook';

/** What one claim INSERT did for one webhook. */
export type Inserted =
  | { kind: 'claimed'; /** The session already has webhooks waiting in the spool. */ backlog: boolean }
  /** A row with the same delivery id or content was there first (or came first in the same batch). */
  | { kind: 'taken' }
  | { kind: 'failed'; err: Error };

/**
 * Claims the webhooks of one batch in one statement. Within the batch the first of several with the
 * same delivery id or content is the only one inserted (ON CONFLICT DO NOTHING would also skip the
 * others, but could not say which row won); the others come back `taken`, like a later request
 * would, and find the winner's row once this statement has committed.
 */
export async function claimBatch(ds: DataSource, webhooks: InboundWebhook[]): Promise<Inserted[]> {
  const candidates = firstOfEach(webhooks);
  try {
    const claimed = await insertClaims(ds, [...candidates]);
    return webhooks.map((w) => {
      const backlog = candidates.has(w) ? claimed.get(w.eventId) : undefined;
      return backlog === undefined ? { kind: 'taken' } : { kind: 'claimed', backlog };
    });
  } catch (err) {
    // One webhook Postgres refuses (a NUL in a session id, a deadlock with another replica's batch)
    // must not fail the others: each is claimed alone, as it would have been without batching.
    if (webhooks.length > 1 && answeredByServer(err)) return Promise.all(webhooks.map(async (w) => (await claimBatch(ds, [w]))[0]));
    return webhooks.map(() => ({ kind: 'failed', err: err as Error }));
  }
}

/** The webhooks that would win among themselves: none shares a delivery id or content with an earlier one. */
function firstOfEach(webhooks: InboundWebhook[]): Set<InboundWebhook> {
  const deliveries = new Set<string>();
  const contents = new Set<string>();
  const firsts = new Set<InboundWebhook>();
  for (const w of webhooks) {
    const delivery = `${w.source}\n${w.deliveryId}`;
    const content = `${w.source}\n${w.fingerprint}`;
    if (deliveries.has(delivery) || contents.has(content)) continue;
    deliveries.add(delivery);
    contents.add(content);
    firsts.add(w);
  }
  return firsts;
}

/** Postgres itself refused the statement (an error answer with a severity and an SQLSTATE), so it is up. */
function answeredByServer(err: unknown): boolean {
  const { severity, code } = (err ?? {}) as { severity?: unknown; code?: unknown };
  return typeof severity === 'string' && typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}
