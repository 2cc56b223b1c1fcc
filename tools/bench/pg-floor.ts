/**
 * The Postgres floor of the pipeline: what writing the rows one webhook leaves behind costs Postgres
 * when nothing else is asked of it.
 *
 *   npm run bench -- --only pipeline --rates 300 --seconds 30 --keep-database --out /tmp/bench
 *   npx tsx tools/bench/pg-floor.ts <the database URL it printed> [--per-transaction 100,500]
 *
 * From the run's own counters (`pg_stat_user_tables`) it takes every table the services wrote, copies
 * its structure (indexes, constraints, foreign keys between the copies) into a scratch schema, and
 * writes the same rows again in transactions of N webhooks' worth: one INSERT … SELECT per table,
 * outbox rows inserted and deleted as the relay does. Postgres CPU (every Postgres process, from /proc)
 * over those writes, per webhook, is the floor: the rows, index entries, checks and WAL the
 * guarantees need, without the pipeline's reads, planning, round trips or small transactions.
 * Not included: the gateway's settle update, the audit chain head and the reads of every stage.
 * The scratch schema is dropped at the end; drop the database yourself.
 */
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { postgresCpuSeconds } from './cpu';

const SCRATCH = 'floor_scratch';

interface Written {
  schema: string;
  table: string;
  inserted: number;
  deleted: number;
  copy: string;
  columns: string;
  /** The copied table this one references (single-column foreign key), and by which columns. */
  parent?: { table: Written; column: string; parentColumn: string };
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
/** The scratch table holding a copied table's rows, numbered into chunks. */
const stageOf = (t: Written) => `${t.copy.slice(0, -1)}__stage"`;

async function prepare(db: Client): Promise<{ webhooks: number; tables: Written[] }> {
  const [{ webhooks }] = (await db.query(`SELECT n_tup_ins::int AS webhooks FROM pg_stat_user_tables WHERE relname = 'deliveries'`)).rows;
  if (!webhooks) throw new Error('no webhook_gateway deliveries in this database: pass the URL a pipeline bench run kept (--keep-database)');
  const rows = (
    await db.query(
      `SELECT schemaname AS schema, relname AS "table", n_tup_ins::int AS inserted, n_tup_del::int AS deleted
         FROM pg_stat_user_tables WHERE schemaname <> $1 AND n_tup_ins >= $2 ORDER BY schemaname, relname`,
      [SCRATCH, Math.ceil(webhooks / 2)],
    )
  ).rows as Array<Omit<Written, 'copy' | 'columns'>>;
  await db.query(`DROP SCHEMA IF EXISTS ${SCRATCH} CASCADE; CREATE SCHEMA ${SCRATCH}`);
  const tables: Written[] = [];
  for (const r of rows) {
    const copy = `${SCRATCH}.${quote(`${r.schema}__${r.table}`)}`;
    const source = `${quote(r.schema)}.${quote(r.table)}`;
    await db.query(`CREATE TABLE ${copy} (LIKE ${source} INCLUDING ALL)`);
    const outbox = r.table === 'outbox';
    const columns = (
      await db.query(
        `SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) AS c FROM information_schema.columns
          WHERE table_schema = $1 AND table_name = $2 AND NOT ($3 AND column_name IN ('id', 'created_at', 'sent_at'))`,
        [r.schema, r.table, outbox],
      )
    ).rows[0].c as string;
    tables.push({ ...r, copy, columns });
  }
  // Foreign keys between the copied tables, as between the originals (ON DELETE and all).
  const fks = (
    await db.query(
      `SELECT n.nspname AS schema, c.relname AS "table", f.relname AS ref, pg_get_constraintdef(k.oid) AS def,
              (SELECT attname FROM pg_attribute WHERE attrelid = k.conrelid AND attnum = k.conkey[1]) AS column,
              (SELECT attname FROM pg_attribute WHERE attrelid = k.confrelid AND attnum = k.confkey[1]) AS "parentColumn"
         FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_class f ON f.oid = k.confrelid
        WHERE k.contype = 'f' AND n.nspname <> $1 AND cardinality(k.conkey) = 1`,
      [SCRATCH],
    )
  ).rows as Array<{ schema: string; table: string; ref: string; def: string; column: string; parentColumn: string }>;
  for (const fk of fks) {
    const child = tables.find((t) => t.schema === fk.schema && t.table === fk.table);
    const parent = tables.find((t) => t.schema === fk.schema && t.table === fk.ref);
    if (!child || !parent || child === parent) continue;
    await db.query(`ALTER TABLE ${child.copy} ADD ${fk.def.replace(/REFERENCES\s+("?[\w.]+"?)\(/, `REFERENCES ${parent.copy}(`)}`);
    child.parent = { table: parent, column: fk.column, parentColumn: fk.parentColumn };
  }
  // Parents before their children, in staging and in every transaction.
  const ordered: Written[] = [];
  while (ordered.length < tables.length) {
    const before = ordered.length;
    for (const t of tables) if (!ordered.includes(t) && (!t.parent || ordered.includes(t.parent.table))) ordered.push(t);
    // A cycle of keys: the rest in any order (their rows may then fail their checks, which the run reports).
    if (ordered.length === before) ordered.push(...tables.filter((t) => !ordered.includes(t)));
  }
  tables.splice(0, tables.length, ...ordered);
  return { webhooks, tables };
}

/** Stages each table's rows numbered into chunks of `perTransaction` webhooks' worth (not measured). */
async function stage(db: Client, webhooks: number, tables: Written[], perTransaction: number): Promise<number> {
  const chunks = Math.ceil(webhooks / perTransaction);
  for (const t of tables) {
    const rowsPerChunk = Math.max(1, Math.ceil(t.inserted / chunks));
    const staged = stageOf(t);
    await db.query(`DROP TABLE IF EXISTS ${staged}`);
    if (t.table === 'outbox') {
      // Sent outbox rows are deleted: made up in the shape the relay reads (a 1.5 kB value, CloudEvents headers).
      await db.query(
        `CREATE TABLE ${staged} AS SELECT 'evt-' || g AS event_id, 'topic.v1' AS topic, md5(g::text) AS key, repeat('x', 1500) AS value,
           jsonb_build_object('ce_id', md5(g::text), 'ce_type', 'a.b.c', 'ce_source', 'svc', 'ce_time', now()::text, 'traceparent', '00-' || md5(g::text) || '-' || left(md5('s' || g), 16) || '-01') AS headers,
           (g - 1) / ${rowsPerChunk} AS chunk__ FROM generate_series(1, ${t.inserted}) g`,
      );
    } else if (t.parent) {
      // A child row goes in the chunk of the row it references.
      await db.query(
        `CREATE TABLE ${staged} AS SELECT c.*, p.chunk__ FROM ${quote(t.schema)}.${quote(t.table)} c JOIN ${stageOf(t.parent.table)} p ON p.${quote(t.parent.parentColumn)} = c.${quote(t.parent.column)}`,
      );
    } else {
      await db.query(`CREATE TABLE ${staged} AS SELECT *, (row_number() OVER (ORDER BY ctid) - 1) / ${rowsPerChunk} AS chunk__ FROM ${quote(t.schema)}.${quote(t.table)}`);
    }
    await db.query(`CREATE INDEX ON ${staged} (chunk__); ANALYZE ${staged}`);
  }
  return chunks;
}

async function measure(db: Client, webhooks: number, tables: Written[], perTransaction: number) {
  for (const t of tables) await db.query(`TRUNCATE ${t.copy} CASCADE`);
  const chunks = await stage(db, webhooks, tables, perTransaction);
  const before = postgresCpuSeconds();
  const started = Date.now();
  for (let k = 0; k < chunks; k++) {
    await db.query('BEGIN');
    // Parents before their children (prepare's order).
    for (const t of tables) await db.query(`INSERT INTO ${t.copy} (${t.columns}) SELECT ${t.columns} FROM ${stageOf(t)} WHERE chunk__ = $1`, [k]);
    await db.query('COMMIT');
    for (const t of tables.filter((x) => x.table === 'outbox')) await db.query(`DELETE FROM ${t.copy} WHERE event_id IN (SELECT event_id FROM ${stageOf(t)} WHERE chunk__ = $1)`, [k]);
  }
  const cpuMs = (postgresCpuSeconds() - before) * 1000;
  return { perTransaction, transactions: chunks, wallMs: Date.now() - started, postgresCpuMs: Math.round(cpuMs), postgresCpuMsPerWebhook: Math.round((cpuMs / webhooks) * 1000) / 1000 };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { 'per-transaction': { type: 'string', default: '100,500' } } });
  const url = positionals[0];
  if (!url) throw new Error('usage: pg-floor.ts <database URL kept by the pipeline bench> [--per-transaction 100,500]');
  const sizes = values['per-transaction'].split(',').map(Number);
  if (sizes.some((n) => !(n >= 1))) throw new Error(`--per-transaction takes positive numbers (got ${values['per-transaction']})`);
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    const { webhooks, tables } = await prepare(db);
    const perWebhook = tables.map((t) => ({ table: `${t.schema}.${t.table}`, rowsPerWebhook: Math.round((t.inserted / webhooks) * 100) / 100, deletedPerWebhook: Math.round((t.deleted / webhooks) * 100) / 100 }));
    const runs = [];
    for (const n of sizes) runs.push(await measure(db, webhooks, tables, n));
    process.stdout.write(`${JSON.stringify({ webhooks, tables: perWebhook, runs }, null, 2)}\n`);
  } finally {
    await db.query(`DROP SCHEMA IF EXISTS ${SCRATCH} CASCADE`).catch(() => undefined);
    await db.end();
  }
}

main().catch((err) => {
  process.stderr.write(`pg-floor: ${(err as Error).message}\n`);
  process.exit(1);
});
