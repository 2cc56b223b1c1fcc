import type { DataSource } from 'typeorm';
import type { DeliveryState } from './delivery-ledger';
import type { InboundWebhook } from './inbound-webhook';

/** What one claim INSERT did for one webhook. */
export type Inserted =
  | { kind: 'claimed'; /** The session already has webhooks waiting in the spool. */ backlog: boolean }
  /** A row with the same delivery id or content was there first (or came first in the same batch). */
  | { kind: 'taken' }
  | { kind: 'failed'; err: Error };

/** The row a webhook that lost its claim is a duplicate of. */
export interface FirstClaim {
  eventId: string;
  state: DeliveryState;
  stale: boolean;
  match: 'delivery' | 'content';
}

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

/**
 * For each webhook that lost its claim: the row it is a duplicate of, the one with the same delivery
 * id first, else the one with the same content; undefined when that row is gone (released after a 503).
 */
export async function findFirstClaims(ds: DataSource, requests: Array<{ webhook: InboundWebhook; staleAfterMs: number }>): Promise<Array<FirstClaim | undefined>> {
  const rows: Array<{ i: string; event_id: string | null; state: DeliveryState; same_delivery: boolean; stale: boolean }> = await ds.query(
    `SELECT l.i, f.event_id, f.state, f.same_delivery, f.stale
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[]) WITH ORDINALITY AS l(event_id, source, delivery_id, stale_ms, i)
       LEFT JOIN LATERAL (
         SELECT d.event_id, d.state, (d.source = l.source AND d.delivery_id = l.delivery_id) AS same_delivery,
                d.claimed_at < now() - l.stale_ms * interval '1 millisecond' AS stale
           FROM deliveries d
          WHERE d.event_id = l.event_id OR (d.source = l.source AND d.delivery_id = l.delivery_id)
          ORDER BY same_delivery DESC LIMIT 1) f ON true
      ORDER BY l.i`,
    [
      requests.map((r) => r.webhook.eventId),
      requests.map((r) => r.webhook.source),
      requests.map((r) => r.webhook.deliveryId),
      requests.map((r) => r.staleAfterMs),
    ],
  );
  return rows.map((row) => (row.event_id ? { eventId: row.event_id, state: row.state, stale: row.stale, match: row.same_delivery ? 'delivery' : 'content' } : undefined));
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

/** Inserts the claims; returns the event ids inserted, each with whether its session has a spool backlog. */
async function insertClaims(ds: DataSource, webhooks: InboundWebhook[]): Promise<Map<string, boolean>> {
  // Rows in event id order: two replicas' batches then take their row locks in the same order.
  const rows = [...webhooks].sort((a, b) => (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
  const claimed: Array<{ event_id: string; backlog: boolean }> = await ds.query(
    `WITH claimed AS (
       INSERT INTO deliveries (event_id, source, delivery_id, fingerprint, session_key, subject_ref)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
       ON CONFLICT DO NOTHING RETURNING event_id, session_key)
     SELECT c.event_id, EXISTS (SELECT 1 FROM spool s WHERE s.session_key = c.session_key) AS backlog FROM claimed c`,
    [
      rows.map((w) => w.eventId),
      rows.map((w) => w.source),
      rows.map((w) => w.deliveryId),
      rows.map((w) => w.fingerprint),
      rows.map((w) => w.key),
      rows.map((w) => w.subjectRef ?? null),
    ],
  );
  return new Map(claimed.map((c) => [c.event_id.toLowerCase(), c.backlog]));
}

/** Postgres itself refused the statement (an error answer with a severity and an SQLSTATE), so it is up. */
function answeredByServer(err: unknown): boolean {
  const { severity, code } = (err ?? {}) as { severity?: unknown; code?: unknown };
  return typeof severity === 'string' && typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}
