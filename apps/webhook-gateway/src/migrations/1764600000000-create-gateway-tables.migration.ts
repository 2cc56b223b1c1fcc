import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * deliveries: one row per verified webhook, for dedupe. It holds no payload, only the ids that find a
 * duplicate (delivery id, content fingerprint → event id) and the subject/session to erase by.
 * spool: webhooks Kafka could not take in time, in arrival order, until the relay publishes them.
 */
export class CreateGatewayTables1764600000000 implements MigrationInterface {
  name = 'CreateGatewayTables1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE deliveries (
      event_id uuid PRIMARY KEY,
      source text NOT NULL,
      delivery_id text NOT NULL,
      fingerprint text NOT NULL,
      session_key text NOT NULL,
      subject_ref text,
      state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'produced', 'spooled')),
      received_at timestamptz NOT NULL DEFAULT now(),
      claimed_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT deliveries_delivery_once UNIQUE (source, delivery_id),
      CONSTRAINT deliveries_content_once UNIQUE (source, fingerprint))`);
    await q.query('CREATE INDEX deliveries_subject ON deliveries (subject_ref) WHERE subject_ref IS NOT NULL');
    await q.query('CREATE INDEX deliveries_session ON deliveries (session_key)');
    await q.query('CREATE INDEX deliveries_received_at ON deliveries (received_at)');
    await q.query(`CREATE TABLE spool (
      id bigserial PRIMARY KEY,
      event_id uuid NOT NULL UNIQUE,
      session_key text NOT NULL,
      subject_ref text,
      value text NOT NULL,
      headers jsonb NOT NULL,
      received_at timestamptz NOT NULL,
      spooled_at timestamptz NOT NULL DEFAULT now(),
      hold_until timestamptz)`);
    await q.query('CREATE INDEX spool_session_order ON spool (session_key, id)');
    await q.query('CREATE INDEX spool_subject ON spool (subject_ref) WHERE subject_ref IS NOT NULL');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE spool');
    await q.query('DROP TABLE deliveries');
  }
}
